extension World {
    /// Places a new worker pod on a node (the twin), or leaves it Pending for the cluster autoscaler.
    func schedulePod(_ pod: Int32) {
        guard var cluster else {
            queue.schedule(.podReady(pod), at: now + latency(config.podStartDelay))
            return
        }
        let perZone = (0..<cluster.zones).map { zone in pods.filter { $0.isAlive && $0.zone == zone && $0.slot != nil }.count }
        if let (node, zone) = cluster.place(now: now, podsPerZone: perZone) {
            pods[Int(pod)].node = node
            pods[Int(pod)].zone = zone
            pods[Int(pod)].phase = .starting
            queue.schedule(.podReady(pod), at: now + latency(config.podStartDelay))
        } else {
            pods[Int(pod)].phase = .pending
        }
        self.cluster = cluster
    }

    func releaseNode(of pod: Int32) {
        guard let node = pods[Int(pod)].node else { return }
        pods[Int(pod)].node = nil
        cluster?.release(node: node)
        placePendingPods()
    }

    func placePendingPods() {
        for index in pods.indices where pods[index].phase == .pending {
            schedulePod(Int32(index))
        }
    }

    /// Cluster Autoscaler: a node per `podsPerNode` pending pods not covered by nodes already coming up.
    func clusterScan() {
        guard var cluster, let twin = scenario.twin else { return }
        queue.schedule(.clusterScan, at: now + twin.clusterScanInterval)
        let pending = pods.filter { $0.phase == .pending }.count
        var uncovered = pending - cluster.slotsComing(now: now)
        while uncovered > 0 {
            let readyAt = now + latency(twin.nodeAddDelay)
            guard let node = cluster.addNode(now: now, readyAt: readyAt) else { break }
            queue.schedule(.nodeReady(node), at: readyAt)
            uncovered -= cluster.podsPerNode
            if options.trace { traceNote += "add node \(node) in zone \(cluster.nodes[node].zone); " }
        }
        self.cluster = cluster
    }

    /// A zone is lost: its nodes and the pods on them at once (no SIGTERM), the broker there (partitions it
    /// led are unavailable until a new leader is elected; the coordinator too if it lived there).
    func loseZone(_ zone: Int, for duration: Int64) -> String {
        guard var cluster, let twin = scenario.twin else { return "no cluster model" }
        cluster.loseZone(zone, until: now + duration)
        self.cluster = cluster
        var killed: [String] = []
        for index in pods.indices where pods[index].isAlive && pods[index].zone == zone {
            killed.append(pods[index].name)
            pods[index].node = nil
            sigkill(Int32(index))
        }
        let failover = latency(twin.leaderFailover)
        for partition in 0..<scenario.partitions where partition % cluster.zones == zone {
            partitionUnavailableUntil[partition] = max(partitionUnavailableUntil[partition], now + failover)
        }
        if zone == Int(scenario.seed % UInt64(cluster.zones)) {
            brokerOutageUntil = max(brokerOutageUntil, now + failover)
            queue.schedule(.brokerRecovered, at: brokerOutageUntil)
        }
        queue.schedule(.zoneRecovered(zone), at: now + duration)
        return "zone \(zone) lost for \(duration / 1000) s: pods \(killed.joined(separator: ",")), its broker (leader failover \(failover / 1000) s)"
    }

    func zoneRecovered(_ zone: Int) {
        if options.trace { traceNote = "zone \(zone) is back" }
        placePendingPods()
    }
}
