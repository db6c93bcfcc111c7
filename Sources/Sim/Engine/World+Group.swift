import Core

extension World {
    /// The client's background heartbeat: it learns here of rebalances and of having been thrown out.
    func heartbeat(_ pod: Int32) {
        let p = Int(pod)
        guard pods[p].consumes else { return }
        queue.schedule(.heartbeat(pod), at: now + config.heartbeatInterval)
        guard let member = pods[p].member, !brokerDown else { return }
        switch coordinator.heartbeat(member: member, now: now) {
        case .ok:
            break
        case .unknownMember:
            if options.trace { traceNote = "heartbeat: unknown member m\(member): partitions lost" }
            membershipLost(pod)
        case .rebalanceInProgress:
            if options.trace { traceNote = "heartbeat: rebalance in progress" }
            rejoin(pod)
        }
    }

    private func membershipLost(_ pod: Int32) {
        let p = Int(pod)
        let lost = pods[p].assignment
        journal.note(.lostPartitions(lost), pod: pod, at: now)
        for partition in lost {
            pods[p].positions[Int(partition)] = nil
            pods[p].paused[Int(partition)] = false
        }
        pods[p].assignment = []
        pods[p].pendingRevocation = []
        pods[p].member = nil
        pods[p].joinState = .idle
        perform(pods[p].machine.partitionsLost(lost, now: Timestamp(milliseconds: now)), for: pod)
        if pods[p].phase == .running { sendJoin(pod, owned: []) }
    }

    /// Eager members revoke everything before rejoining; cooperative members rejoin owning what they own.
    private func rejoin(_ pod: Int32) {
        let p = Int(pod)
        guard pods[p].joinState == .idle else { return }
        switch coordinator.rebalanceProtocol {
        case .cooperative:
            sendJoin(pod, owned: pods[p].assignment)
        case .eager:
            let revoked = pods[p].assignment
            guard !revoked.isEmpty else { return sendJoin(pod, owned: []) }
            pods[p].joinState = .revokingBeforeJoin
            pods[p].pendingRevocation = revoked
            perform(pods[p].machine.partitionsRevoked(revoked, generation: pods[p].generation,
                                                      now: Timestamp(milliseconds: now)), for: pod)
        }
    }

    func joinArrives(_ pod: Int32, member: Int32?, owned: [PartitionID]) {
        let p = Int(pod)
        guard pods[p].consumes else { return }
        if brokerDown {
            queue.schedule(.join(pod, member: member, owned: owned), at: brokerOutageUntil + latency(config.networkLatency))
            return
        }
        if let member, coordinator.member(member) == nil {
            // Thrown out while joining: the client finds out from its next heartbeat.
            return
        }
        let id = coordinator.join(pod: pod, member: member, owned: owned, now: now, rebalanceTimeout: config.rebalanceTimeout)
        if member == nil { journal.note(.joined(member: id), pod: pod, at: now) }
        pods[p].member = id
        if options.trace { traceNote = "join as m\(id) owning \(owned.count)" }
        completeRound()
    }

    func completeRound() {
        guard let round = coordinator.completeIfReady(now: now) else { return }
        if options.trace { traceNote += " -> generation \(round.generation) with \(round.members.count) members" }
        for (index, pod) in round.pods.enumerated() {
            queue.schedule(.sync(pod, member: round.members[index], generation: round.generation, assignment: round.assignment[index]),
                           at: now + latency(config.networkLatency))
        }
    }

    func syncArrives(_ pod: Int32, member: Int32, generation: Int32, assignment: [PartitionID]) {
        let p = Int(pod)
        guard pods[p].consumes, pods[p].member == member else { return }
        pods[p].generation = generation
        pods[p].joinState = .idle
        let stamp = Timestamp(milliseconds: now)
        let added = assignment.filter { !pods[p].assignment.contains($0) }
        let revoked = coordinator.rebalanceProtocol == .cooperative ? pods[p].assignment.filter { !assignment.contains($0) } : []
        for partition in added {
            pods[p].positions[Int(partition)] = coordinator.committed[Int(partition)] ?? 0
            pods[p].paused[Int(partition)] = false
        }
        pods[p].assignment = (pods[p].assignment + added).sorted()
        if options.trace { traceNote = "generation \(generation): assigned \(assignment.map { "p\($0)" }.joined(separator: ","))" }
        perform(pods[p].machine.partitionsAssigned(added, generation: generation, now: stamp), for: pod)
        if !revoked.isEmpty, pods[p].isAlive {
            pods[p].joinState = .revokingAfterSync
            pods[p].pendingRevocation = revoked
            perform(pods[p].machine.partitionsRevoked(revoked, generation: generation, now: stamp), for: pod)
        }
        scheduleFetch(pod)
    }

    func leaveArrives(_ pod: Int32, member: Int32) {
        if coordinator.leave(member: member, now: now, rebalanceTimeout: config.rebalanceTimeout) {
            if options.trace { traceNote = "m\(member) left the group" }
            completeRound()
        }
    }

    func coordinatorTick() {
        if !brokerDown {
            for member in coordinator.expire(now: now, sessionTimeout: config.sessionTimeout,
                                             rebalanceTimeout: config.rebalanceTimeout) {
                journal.note(.expired(member: member.id), pod: member.pod, at: now)
                if options.trace { traceNote += "m\(member.id) (\(pods[Int(member.pod)].name)) expired; " }
            }
            completeRound()
        }
        if now >= trafficEnd, isQuiet() {
            stopped = true
            return
        }
        queue.schedule(.coordinatorTick, at: now + 1_000)
    }

    /// Healed and idle: every record committed, every pod settled, nothing in flight anywhere.
    private func isQuiet() -> Bool {
        guard pendingProduces == 0, coordinator.isStable, !brokerDown, now >= dbOutageUntil else { return false }
        for pod in pods where pod.isAlive {
            guard pod.phase == .running, pod.frozenUntil <= now, pod.joinState == .idle,
                pod.machine.queuedEvents == 0, pod.machine.inFlightEvents == 0
            else { return false }
        }
        for slot in 0..<desiredReplicas {
            guard let pod = slots[slot], pods[Int(pod)].phase == .running else { return false }
        }
        for partition in 0..<scenario.partitions where (coordinator.committed[partition] ?? 0) != topic.end(partition) {
            return false
        }
        return databaseIdle && databaseSettled
    }
}
