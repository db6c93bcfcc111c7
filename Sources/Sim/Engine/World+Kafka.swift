import Core

extension World {
    /// Writes every planned event due now (they are sorted by time), then schedules the next due time: one
    /// scheduler event per distinct production time, however many records it carries.
    func produceDue(from first: Int32) {
        var index = Int(first)
        let events = scenario.events
        while index < events.count, events[index].time <= now {
            produce(Int32(index), duplicate: false)
            index += 1
        }
        if index < events.count { queue.schedule(.produce(Int32(index)), at: events[index].time) }
    }

    func produce(_ index: Int32, duplicate: Bool) {
        let planned = scenario.events[Int(index)]
        let partition = Topic.partition(forAccount: planned.account, partitions: scenario.partitions)
        let unavailableUntil = max(brokerOutageUntil, partitionUnavailableUntil[partition])
        if now < unavailableUntil {
            // librdkafka buffers and retries until the partition's leader is reachable again.
            queue.schedule(.produceSingle(index, duplicate: duplicate), at: unavailableUntil + latency(config.networkLatency))
            return
        }
        let offset = topic.append(payloads[Int(index)], partition: partition, origin: index)
        pendingProduces -= 1
        if !duplicate, now < producerRetryUntil, random.chance(3, in: 10) {
            pendingProduces += 1
            queue.schedule(.produceSingle(index, duplicate: true), at: now + random.int(Int64(5)...50))
        }
        if options.trace { traceNote += "p\(partition)@\(offset)\(duplicate ? " (duplicate write)" : "") " }
        for pod in pods.indices where pods[pod].consumes && pods[pod].assignment.contains(PartitionID(partition))
            && !pods[pod].paused[partition] {
            scheduleFetch(Int32(pod))
        }
    }

    func scheduleFetch(_ pod: Int32) {
        guard pods[Int(pod)].consumes, !pods[Int(pod)].fetchScheduled else { return }
        pods[Int(pod)].fetchScheduled = true
        queue.schedule(.fetch(pod), at: now + latency(config.fetchLatency))
    }

    /// A poll: everything available on the unpaused assigned partitions, up to max.poll.records.
    func fetch(_ pod: Int32) {
        let p = Int(pod)
        pods[p].fetchScheduled = false
        guard pods[p].consumes, pods[p].member != nil || !pods[p].assignment.isEmpty else { return }
        if brokerDown || pods[p].isolatedUntil > now {
            pods[p].fetchScheduled = true
            queue.schedule(.fetch(pod), at: max(brokerOutageUntil, pods[p].isolatedUntil) + latency(config.fetchLatency))
            return
        }
        var messages: [Message] = []
        var more = false
        var waitUntil: Int64?
        for partition in pods[p].assignment where !pods[p].paused[Int(partition)] {
            let index = Int(partition)
            if now < partitionUnavailableUntil[index] {
                // Its leader is failing over: poll it again once a new leader is elected.
                waitUntil = min(waitUntil ?? partitionUnavailableUntil[index], partitionUnavailableUntil[index])
                continue
            }
            var position = pods[p].positions[index] ?? (coordinator.committed[index] ?? 0)
            let end = topic.end(index)
            while position < end, messages.count < config.maxPollRecords {
                messages.append(topic.logs[index][Int(position)])
                position += 1
            }
            pods[p].positions[index] = position
            if position < end { more = true }
        }
        if !messages.isEmpty {
            if options.trace { traceNote = describeFetch(messages) }
            perform(pods[p].machine.messagesFetched(messages, now: Timestamp(milliseconds: now)), for: pod)
        }
        if more {
            scheduleFetch(pod)
        } else if let waitUntil, pods[p].consumes, !pods[p].fetchScheduled {
            pods[p].fetchScheduled = true
            queue.schedule(.fetch(pod), at: waitUntil + latency(config.fetchLatency))
        }
    }

    func commitArrives(_ pod: Int32, _ request: RequestID, _ commit: OffsetCommit, member: Int32) {
        var result: CommitResult
        if brokerDown {
            result = .failed(.unavailable("coordinator not available"))
        } else {
            result = coordinator.commit(commit, member: member, pod: pod, now: now)
            if result == .failed(.rebalanceInProgress) { journal.commitsRebalanceInProgress += 1 }
            if result == .committed, now < commitAmbiguousUntil, random.chance(1, in: 4) {
                // Written by the coordinator; the answer is lost on the way back and the client sees an error.
                journal.ambiguousCommits += 1
                result = .failed(.unavailable("request timed out (the commit was written)"))
            }
        }
        if options.trace { traceNote = "commit \(commit.offsets.map(\.description).joined(separator: " ")) gen \(commit.generation) -> \(result)" }
        reply(.commitReply(pod, request, result), to: pod)
    }

    func deadLetterArrives(_ pod: Int32, _ request: RequestID, _ letter: DeadLetter) {
        let result: PublishResult
        if brokerDown || pods[Int(pod)].isolatedUntil > now {
            result = .failed("broker not available")
        } else {
            let origin = topic.origin(partition: letter.partition, offset: letter.offset)
            deadLetters.append(DeadLetterRecord(time: now, pod: pod, event: origin, reason: letter.reason))
            result = .published
        }
        if options.trace { traceNote = "dead-letter p\(letter.partition)@\(letter.offset): \(letter.reason) -> \(result)" }
        reply(.deadLetterReply(pod, request, result), to: pod)
    }

    /// Delivers an answer now, or when a frozen pod thaws; a dead pod never hears it.
    func reply(_ event: SimEvent, to pod: Int32) {
        let p = Int(pod)
        guard pods[p].isAlive else { return }
        if pods[p].frozenUntil > now {
            queue.schedule(event, at: pods[p].frozenUntil)
            return
        }
        switch event {
        case .databaseReply(_, let request, let result): deliverDatabaseReply(pod, request, result)
        case .commitReply(_, let request, let result): deliverCommitReply(pod, request, result)
        case .deadLetterReply(_, let request, let result): deliverDeadLetterReply(pod, request, result)
        default: queue.schedule(event, at: now)
        }
    }

    func deliverCommitReply(_ pod: Int32, _ request: RequestID, _ result: CommitResult) {
        guard pods[Int(pod)].isAlive else { return }
        perform(pods[Int(pod)].machine.offsetCommitCompleted(request, result: result, now: Timestamp(milliseconds: now)), for: pod)
    }

    func deliverDeadLetterReply(_ pod: Int32, _ request: RequestID, _ result: PublishResult) {
        guard pods[Int(pod)].isAlive else { return }
        perform(pods[Int(pod)].machine.deadLetterCompleted(request, result: result, now: Timestamp(milliseconds: now)), for: pod)
    }

    private func describeFetch(_ messages: [Message]) -> String {
        var parts: [String] = []
        var index = 0
        while index < messages.count {
            let partition = messages[index].partition
            var last = index
            while last + 1 < messages.count, messages[last + 1].partition == partition { last += 1 }
            parts.append("p\(partition)[\(messages[index].offset)..\(messages[last].offset)]")
            index = last + 1
        }
        return "fetch \(parts.joined(separator: " ")) (\(messages.count) messages)"
    }
}
