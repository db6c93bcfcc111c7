import Core

extension World {
    /// The client's background heartbeat: it learns here of rebalances and of having been thrown out.
    func heartbeat(_ pod: Int32) {
        let p = Int(pod)
        guard pods[p].consumes else { return }
        queue.schedule(.heartbeat(pod), at: now + config.heartbeatInterval)
        guard let member = pods[p].member else { return }
        guard !brokerDown, pods[p].isolatedUntil <= now else {
            // No answer: librdkafka times its own session out once none came for session.timeout.ms.
            if now - pods[p].lastCoordinatorAnswer > config.sessionTimeout { clientSessionTimedOut(pod) }
            return
        }
        pods[p].lastCoordinatorAnswer = now
        switch coordinator.heartbeat(member: member, now: now) {
        case .ok:
            break
        case .unknownMember:
            if options.trace { traceNote = "heartbeat: unknown member m\(member): partitions lost" }
            membershipLost(pod)
        case .rebalanceInProgress:
            if options.trace { traceNote = "heartbeat: rebalance in progress" }
            // A blocked application cannot serve the rebalance: its poll loop does, when it comes back.
            if pods[p].stalledUntil <= now { rejoin(pod) }
        }
    }

    private func clientSessionTimedOut(_ pod: Int32) {
        journal.note(.sessionTimedOut, pod: pod, at: now)
        if options.trace { traceNote = "no coordinator answer for \(Timestamp(milliseconds: config.sessionTimeout)): session timed out, partitions lost" }
        membershipLost(pod)
    }

    func membershipLost(_ pod: Int32) {
        let p = Int(pod)
        let lost = pods[p].assignment
        journal.note(.lostPartitions(lost), pod: pod, at: now)
        ownershipChanged(pod, lost, .lost)
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
    func rejoin(_ pod: Int32) {
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
        if brokerDown || pods[p].isolatedUntil > now {
            let reachable = max(brokerOutageUntil, pods[p].isolatedUntil)
            queue.schedule(.join(pod, member: member, owned: owned), at: reachable + latency(config.networkLatency))
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

    /// Once every member has joined: the new generation, and the JoinGroup answers (CompletingRebalance).
    func completeRound() {
        abandonPendingRound()
        guard let round = coordinator.completeIfReady(now: now) else { return }
        if options.trace { traceNote += " -> generation \(round.generation) with \(round.members.count) members" }
        pendingRound = round
        for (index, pod) in round.pods.enumerated() {
            queue.schedule(.joinResponse(pod, member: round.members[index], generation: round.generation),
                           at: now + latency(config.networkLatency))
        }
    }

    /// A new round started before the pending one's leader synced: its members' SyncGroups fail.
    private func abandonPendingRound() {
        guard let round = pendingRound, !coordinator.isCompleting(round.generation) else { return }
        pendingRound = nil
        for (index, pod) in round.pods.enumerated() {
            queue.schedule(.syncFailed(pod, member: round.members[index]), at: now + latency(config.networkLatency))
        }
    }

    /// The client learns its generation from the JoinGroup answer (librdkafka stamps its commits with it); the
    /// leader (the round's first member) computes the assignment and sends it in its SyncGroup.
    func joinResponseArrives(_ pod: Int32, member: Int32, generation: Int32) {
        let p = Int(pod)
        guard pods[p].consumes, pods[p].member == member else { return }
        pods[p].generation = generation
        pods[p].lastCoordinatorAnswer = now
        if let round = pendingRound, round.generation == generation, round.pods.first == pod {
            queue.schedule(.leaderSync(pod, generation: generation), at: coordinatorArrival(pod))
        }
    }

    func leaderSyncArrives(_ pod: Int32, generation: Int32) {
        if brokerDown {
            queue.schedule(.leaderSync(pod, generation: generation), at: brokerOutageUntil + latency(config.networkLatency))
            return
        }
        abandonPendingRound()
        guard let round = pendingRound, round.generation == generation, coordinator.leaderSynced(generation: generation) else { return }
        pendingRound = nil
        if options.trace { traceNote = "generation \(generation) is stable" }
        for (index, member) in round.pods.enumerated() {
            queue.schedule(.sync(member, member: round.members[index], generation: generation, assignment: round.assignment[index]),
                           at: now + latency(config.networkLatency))
        }
    }

    func syncFailed(_ pod: Int32, member: Int32) {
        let p = Int(pod)
        guard pods[p].consumes, pods[p].member == member, pods[p].joinState == .joining else { return }
        pods[p].joinState = .idle
        rejoin(pod)
    }

    func syncArrives(_ pod: Int32, member: Int32, generation: Int32, assignment: [PartitionID]) {
        let p = Int(pod)
        guard pods[p].consumes, pods[p].member == member else { return }
        pods[p].generation = generation
        pods[p].lastCoordinatorAnswer = now
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
        ownershipChanged(pod, added, .assigned)
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
        if healing, quietBlockers(first: true).isEmpty {
            quietAt = now
            stopped = true
            return
        }
        queue.schedule(.coordinatorTick, at: now + 1_000)
    }
}
