import Core

/// Faults of one pod's network or application thread, and what its client does about them.
extension World {
    /// broker-isolation or max-poll-exceeded strikes a running pod; nil when none can be chosen.
    func cutOff(_ fault: PlannedFault) -> (Int32, String)? {
        let candidates = pods.indices.filter {
            pods[$0].phase == .running && pods[$0].frozenUntil <= now && pods[$0].stalledUntil <= now && pods[$0].isolatedUntil <= now
        }
        guard !candidates.isEmpty else { return nil }
        let pod = Int32(candidates[fault.target % candidates.count])
        let p = Int(pod)
        let until = now + fault.duration
        if fault.kind == .brokerIsolation {
            pods[p].isolatedUntil = until
            journal.note(.isolated(until: until), pod: pod, at: now)
            return (pod, "\(pods[p].name) cut off from the brokers (not from the database) until \(Timestamp(milliseconds: until))")
        }
        pods[p].stalledUntil = until
        journal.note(.stalled(until: until), pod: pod, at: now)
        if fault.duration > config.rebalanceTimeout {
            queue.schedule(.pollTimeout(pod), at: now + config.rebalanceTimeout)
        }
        // The first poll after the stall comes before any the stall held back.
        queue.schedule(.pollResumed(pod), at: until)
        return (pod, "\(pods[p].name) stops polling until \(Timestamp(milliseconds: until)), past max.poll.interval.ms (\(Timestamp(milliseconds: config.rebalanceTimeout)))")
    }

    /// librdkafka's max.poll.interval.ms check (KIP-62): the consumer has not polled for that long, so the client
    /// leaves the group from its background thread; the consumer finds out at its next poll and, until then, goes
    /// on with the work it already has.
    func pollTimeout(_ pod: Int32) {
        let p = Int(pod)
        guard pods[p].consumes, pods[p].stalledUntil > now, let member = pods[p].member else { return }
        journal.note(.leftOnPollTimeout(member: member), pod: pod, at: now)
        if options.trace { traceNote = "application did not poll for \(Timestamp(milliseconds: config.rebalanceTimeout)): leaving the group as m\(member)" }
        if !brokerDown, pods[p].isolatedUntil <= now {
            queue.schedule(.leave(pod, member: member), at: coordinatorArrival(pod))
        }
        pods[p].member = nil
        pods[p].joinState = .idle
        pods[p].leftOnPollTimeout = true
    }

    /// The first poll after the stall: MAX_POLL_EXCEEDED if the client left meanwhile (its partitions are lost,
    /// it joins again), otherwise the rebalance it may have missed is served now.
    func pollResumed(_ pod: Int32) {
        let p = Int(pod)
        guard pods[p].consumes else { return }
        if pods[p].leftOnPollTimeout {
            pods[p].leftOnPollTimeout = false
            if options.trace { traceNote = "poll: max.poll.interval.ms exceeded, partitions lost" }
            membershipLost(pod)
        } else if let member = pods[p].member, pods[p].joinState == .idle, !coordinator.isStable,
                  coordinator.member(member)?.joined == false {
            rejoin(pod)
        }
        scheduleFetch(pod)
    }
}
