import Core

extension World {
    /// The heal phase: traffic is over, so no fault starts, nothing is killed and the scaling schedule is done.
    var healing: Bool { now >= trafficEnd }

    /// What still keeps the system from being quiet, in words; empty when it is quiet. With `first`, it stops at
    /// the first thing found (the run loop asks every second of the heal phase).
    func quietBlockers(first: Bool) -> [String] {
        var blockers: [String] = []
        func found(_ text: @autoclosure () -> String) -> Bool {
            blockers.append(first ? "" : text())
            return first
        }
        if pendingProduces > 0, found("\(pendingProduces) records not yet written by the producer") { return blockers }
        let windows = openFaultWindows
        if !windows.isEmpty, found("fault windows still open: \(windows.joined(separator: ", "))") { return blockers }
        if !coordinator.isStable, found("the group is still rebalancing (generation \(coordinator.generation))") { return blockers }
        for index in pods.indices {
            if let blocker = podBlocker(index), found(blocker) { return blockers }
        }
        for slot in 0..<desiredReplicas {
            let ready = slots[slot].map { pods[Int($0)].phase == .running } ?? false
            if !ready, found("replica slot \(slot) has no ready pod") { return blockers }
        }
        if let behind = behind(committed: coordinator.committed), found("Kafka's committed offsets are behind the log end: \(behind)") {
            return blockers
        }
        if mode == .after,
           let behind = behind(committed: (0..<scenario.partitions).map { database.storedOffset(PartitionID($0)) }),
           found("the database's stored offsets are behind the log end: \(behind)") {
            return blockers
        }
        if !databaseIdle, found("the database still has work: \(databaseWork)") { return blockers }
        if let unsettled = unsettledPeriods, found("periods ended but not settled: \(unsettled)") { return blockers }
        if !databaseSettled, found("committed batches of ended periods wait for a settlement run") { return blockers }
        if mode == .after, let unhandled = unhandledEvents, found(unhandled) { return blockers }
        return blockers
    }

    private var openFaultWindows: [String] {
        var open: [String] = []
        let windows: [(String, Int64)] = [
            ("broker-outage", brokerOutageUntil), ("db-outage", dbOutageUntil), ("db-transient", dbTransientUntil),
            ("db-ambiguous", dbAmbiguousUntil), ("producer-retry", producerRetryUntil), ("commit-ambiguous", commitAmbiguousUntil),
        ]
        for (name, until) in windows where now < until { open.append("\(name) until \(Timestamp(milliseconds: until))") }
        return open
    }

    private func podBlocker(_ index: Int) -> String? {
        let pod = pods[index]
        guard pod.isAlive else { return nil }
        if !pod.openTransactions.isEmpty { return "\(pod.name) still waits for \(pod.openTransactions.count) database transaction(s)" }
        if pod.frozenUntil > now { return "\(pod.name) is frozen until \(Timestamp(milliseconds: pod.frozenUntil))" }
        if pod.stalledUntil > now { return "\(pod.name)'s application stops polling until \(Timestamp(milliseconds: pod.stalledUntil))" }
        if pod.isolatedUntil > now { return "\(pod.name) is cut off from the brokers until \(Timestamp(milliseconds: pod.isolatedUntil))" }
        if pod.leftOnPollTimeout { return "\(pod.name) has not polled since its client left the group" }
        switch pod.phase {
        case .terminating: return "\(pod.name) is still draining (SIGTERM at \(Timestamp(milliseconds: pod.sigtermAt ?? now)))"
        case .starting, .pending: return "\(pod.name) is not ready yet"
        case .running, .dead: break
        }
        if !pod.pendingRevocation.isEmpty {
            return "\(pod.name) has not released \(pod.pendingRevocation.map { "p\($0)" }.joined(separator: ",")) (revocation pending)"
        }
        if pod.joinState != .idle { return "\(pod.name) is still joining the group" }
        let queued = pod.machine.queuedEvents
        let inFlight = pod.machine.inFlightEvents
        if queued > 0 || inFlight > 0 { return "\(pod.name) still has \(queued) queued and \(inFlight) in-flight events" }
        return nil
    }

    /// What keeps the database busy, in words.
    private var databaseWork: String {
        var parts: [String] = []
        if database.openTransactions > 0 { parts.append("\(database.openTransactions) open transaction(s)") }
        if database.waitingStatements > 0 { parts.append("\(database.waitingStatements) waiting statement(s)") }
        if !deferredSteps.isEmpty { parts.append("\(deferredSteps.count) step(s) sent but not run") }
        for (index, client) in dbClients.enumerated() where client.inFlight != nil || !(client.dead || client.isIdle) {
            if client.dead, client.connection < 0 || !database.isOpen(client.connection) { continue }
            var state = client.dead ? "dead" : client.busy ? "busy" : "idle"
            if let flight = client.inFlight { state += ", \(flight.blocked ? "waiting" : "sent") \(flight.step.description(in: client))" }
            if !client.pending.isEmpty { state += ", \(client.pending.count) job(s) queued" }
            parts.append("\(pods[index].name)'s connection (\(state))")
        }
        return parts.joined(separator: "; ")
    }

    /// Partitions whose offset (Kafka's committed one, or the database's stored one) is short of the log end.
    private func behind(committed: [Offset?]) -> String? {
        var parts: [String] = []
        for partition in 0..<scenario.partitions {
            let end = topic.end(partition)
            let at = committed[partition] ?? 0
            if at != end { parts.append("p\(partition) at \(at) of \(end)") }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    private var unsettledPeriods: String? {
        let ended = now / config.settlementPeriod
        var missing: [Int64] = []
        let settlements = database.history.settlements
        for period in 0..<ended where !settlements.contains(where: { $0.period == period }) { missing.append(period) }
        return missing.isEmpty ? nil : missing.map(String.init).joined(separator: ", ")
    }

    /// `after`: every produced event applied (a committed ledger row) or dead-lettered.
    private var unhandledEvents: String? {
        var handled = Array(repeating: false, count: scenario.events.count)
        for row in database.history.ledger { handled[Int(topic.origin(partition: row.partition, offset: row.offset))] = true }
        for record in deadLetters { handled[Int(record.event)] = true }
        var first: Int?
        var count = 0
        for index in handled.indices where !handled[index] {
            count += 1
            if first == nil { first = index }
        }
        guard let first else { return nil }
        let placement = topic.firstPlacement(of: first).map(\.description) ?? "not written"
        return "\(count) events neither applied nor dead-lettered (the first at \(placement))"
    }
}
