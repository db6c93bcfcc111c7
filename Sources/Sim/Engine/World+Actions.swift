import Core

extension World {
    /// Carries out a consumer's actions in order, as the live worker's driver does with librdkafka and libpq.
    func perform(_ actions: [ConsumerAction], for pod: Int32) {
        let p = Int(pod)
        if countsFailuresInMemory { takeInMemoryFailureCounts(pod) }
        for action in actions {
            guard pods[p].isAlive else { return }
            switch action {
            case .reportReadiness:
                break
            case .pause(let partitions):
                for partition in partitions { pods[p].paused[Int(partition)] = true }
            case .resume(let partitions):
                for partition in partitions { pods[p].paused[Int(partition)] = false }
                scheduleFetch(pod)
            case .seek(let position):
                pods[p].positions[Int(position.partition)] = position.offset
                scheduleFetch(pod)
            case .execute(let request, let work):
                transactionSent(work, request: request, from: pod)
                submit(work, request: request, from: pod)
            case .commitOffsets(let request, let commit):
                if pods[p].isolatedUntil > now {
                    let failure = CommitResult.failed(.unavailable("broker transport failure"))
                    queue.schedule(.commitReply(pod, request, failure), at: now + latency(config.networkLatency))
                } else if let member = pods[p].member {
                    // The client stamps the commit with the generation it knows (its JoinGroup answer's), not Core's.
                    let stamped = OffsetCommit(generation: pods[p].generation, offsets: commit.offsets)
                    queue.schedule(.commit(pod, request, stamped, member: member), at: coordinatorArrival(pod))
                } else {
                    queue.schedule(.commitReply(pod, request, .failed(.unknownMember)), at: now + latency(config.networkLatency))
                }
            case .publishDeadLetter(let request, let letter):
                queue.schedule(.deadLetter(pod, request, letter), at: now + latency(config.networkLatency))
            case .scheduleTimer(let timer, let time):
                let token = pods[p].arm(timer)
                queue.schedule(.timer(pod, timer, token), at: max(now, time.milliseconds))
            case .cancelTimer(let timer):
                pods[p].disarm(timer)
            case .acknowledgeRevocation(let partitions):
                released(partitions, by: pod)
            case .leaveGroup:
                pods[p].leaveRequested = true
                if let member = pods[p].member, !brokerDown, pods[p].isolatedUntil <= now {
                    queue.schedule(.leave(pod, member: member), at: coordinatorArrival(pod))
                }
                pods[p].member = nil
            case .exit:
                exit(pod)
            }
        }
    }

    /// The client lets go of partitions; a pod that was revoking to (re)join sends its JoinGroup now.
    private func released(_ partitions: [PartitionID], by pod: Int32) {
        let p = Int(pod)
        ownershipChanged(pod, partitions.filter { pods[p].pendingRevocation.contains($0) }, .revoked)
        for partition in partitions {
            pods[p].assignment.removeAll { $0 == partition }
            pods[p].positions[Int(partition)] = nil
            pods[p].paused[Int(partition)] = false
        }
        pods[p].pendingRevocation.removeAll { partitions.contains($0) }
        guard pods[p].pendingRevocation.isEmpty, pods[p].phase == .running || pods[p].phase == .terminating else { return }
        switch pods[p].joinState {
        case .revokingBeforeJoin: sendJoin(pod, owned: [])
        case .revokingAfterSync: sendJoin(pod, owned: pods[p].assignment)
        case .idle, .joining: break
        }
    }

    /// When a request sent now by `pod` reaches the coordinator: after its latency, and never before the pod's
    /// previous request (one connection, FIFO).
    func coordinatorArrival(_ pod: Int32) -> Int64 {
        let p = Int(pod)
        let arrival = max(now + latency(config.networkLatency), pods[p].coordinatorChannelFreeAt)
        pods[p].coordinatorChannelFreeAt = arrival
        return arrival
    }

    func timerFires(_ pod: Int32, _ timer: TimerID, _ token: UInt32) {
        let p = Int(pod)
        guard pods[p].isAlive, pods[p].fire(timer, token: token) else { return }
        if options.trace { traceNote = "timer \(timer)" }
        perform(pods[p].machine.timerFired(timer, now: Timestamp(milliseconds: now)), for: pod)
    }
}
