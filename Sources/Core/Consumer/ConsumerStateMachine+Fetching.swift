extension ConsumerStateMachine {
    /// Messages returned by a poll. Messages for partitions this consumer does not own in an active state, and
    /// stale copies below the expected offset (fetched before a seek), are dropped.
    public mutating func messagesFetched(_ messages: [Message], now: Timestamp) -> [ConsumerAction] {
        guard lifecycle == .running else { return [] }
        // A poll returns each partition's messages together: look the partition up once per run of them.
        var lookedUp: (partition: PartitionID, index: Int?) = (-1, nil)
        for message in messages {
            if lookedUp.partition != message.partition { lookedUp = (message.partition, index(of: message.partition)) }
            guard let index = lookedUp.index, partitions[index].isActive else { continue }
            if let expected = partitions[index].nextExpected, message.offset < expected { continue }
            partitions[index].nextExpected = message.offset + 1
            if mode == .before {
                // librdkafka's enable.auto.offset.store: the offset is stored as soon as the message is handed
                // to the application, whether or not the application ever finishes with it.
                partitions[index].handedOffNext = message.offset + 1
                if case .undecodable = message.payload { continue }  // logged and skipped, as most consumers do
            }
            partitions[index].queue.append(message)
        }
        return pump(now: now)
    }

    /// Starts the next pipeline step if the lane is free, then adjusts fetching to the queue length.
    mutating func pump(now: Timestamp) -> [ConsumerAction] {
        // The step's actions are kept as they come (no copy into an empty array): this runs for every reply.
        var actions: [ConsumerAction] = []
        if lifecycle == .running, case .idle = pipeline, let step = nextStep(now: now) {
            actions = begin(step)
        }
        let flow = updateFlowControl()
        if !flow.isEmpty { actions += flow }
        return actions
    }

    mutating func begin(_ step: PipelineStep) -> [ConsumerAction] {
        let request = makeRequestID()
        pipeline = .inFlight(request, step)
        switch step {
        case .batch(let batch):
            return [.execute(request, .applyBatch(makeWrite(for: batch)))]
        case .recordFailure(let poison):
            let event = poison.message.event!
            let record = FailureRecord(
                eventID: event.id, partition: poison.message.partition, offset: poison.message.offset, reason: poison.reason)
            return [.execute(request, .recordFailure(record))]
        case .publish(let poison):
            return [.publishDeadLetter(request, deadLetter(for: poison))]
        case .markDeadLettered(let poison):
            let mark = DeadLetterMark(
                eventID: poison.message.event?.id, partition: poison.message.partition, offset: poison.message.offset)
            return [.execute(request, .markDeadLettered(mark))]
        }
    }

    func deadLetter(for poison: Poison) -> DeadLetter {
        DeadLetter(
            partition: poison.message.partition, offset: poison.message.offset, payload: poison.message.payload,
            reason: poison.reason, attempts: poison.attempts)
    }

    /// Chooses what the lane does next: a poison head first (so a bad event cannot starve its partition
    /// forever), otherwise a batch filled round-robin across partitions, each partition's messages in order.
    mutating func nextStep(now: Timestamp) -> PipelineStep? {
        guard !partitions.isEmpty else { return nil }
        let count = partitions.count
        let start = rotation % count
        rotation &+= 1
        if mode == .after, let step = poisonHeadStep(now: now, start: start) {
            return step
        }
        // Reserved once for what the queues hold (at most a batch), rather than grown partition by partition.
        var queued = 0
        for index in 0..<count where partitions[index].isActive { queued += partitions[index].queue.count }
        guard queued > 0 else { return nil }
        var messages: [Message] = []
        messages.reserveCapacity(min(queued, configuration.batchMaxEvents))
        for k in 0..<count where messages.count < configuration.batchMaxEvents {
            let index = (start + k) % count
            guard partitions[index].isActive else { continue }
            let blockedAt = partitions[index].suspect?.offset
            let limit = min(partitions[index].queue.count, configuration.batchMaxEvents - messages.count)
            var taken = 0
            // Scanned in place, then moved in one piece: no copy of each message on the way.
            while taken < limit, partitions[index].queue[taken].carriesEvent, partitions[index].queue[taken].offset != blockedAt {
                taken += 1
            }
            guard taken > 0 else { continue }
            messages.append(contentsOf: partitions[index].queue[..<taken])
            partitions[index].queue.removeFirst(taken)
        }
        return messages.isEmpty ? nil : .batch(Batch(messages: messages, attempt: 0))
    }

    /// `after`: an undecodable head goes to the dead-letter topic at once; a suspect head whose back-off is
    /// over is retried alone, so its failure cannot take a whole batch down with it.
    private mutating func poisonHeadStep(now: Timestamp, start: Int) -> PipelineStep? {
        for k in 0..<partitions.count {
            let index = (start + k) % partitions.count
            // Checked in place: most heads are ordinary events with no suspect, and need no copy.
            guard partitions[index].isActive, !partitions[index].queue.isEmpty else { continue }
            let decodes = partitions[index].queue[0].carriesEvent
            guard !decodes || partitions[index].suspect != nil else { continue }
            let head = partitions[index].queue[0]
            if case .undecodable(let reason, _) = head.payload {
                partitions[index].queue.removeFirst()
                let poison = Poison(message: head, reason: "undecodable payload: \(reason)", attempts: 0)
                // Without the dead-letter topic the event is only logged and skipped (marked handled).
                return configuration.has(.deadLetterPoison) ? .publish(poison) : .markDeadLettered(poison)
            }
            if let suspect = partitions[index].suspect, suspect.offset == head.offset, suspect.retryAt <= now {
                partitions[index].queue.removeFirst()
                return .batch(Batch(messages: [head], attempt: 0))
            }
        }
        return nil
    }

    mutating func makeWrite(for batch: Batch) -> BatchWrite {
        let workerID = configuration.workerID
        guard mode == .before else {
            let entries = batch.messages.map {
                BatchEntry(partition: $0.partition, offset: $0.offset, event: $0.event!, balance: .increment)
            }
            return BatchWrite(
                entries: entries, deduplicate: configuration.has(.idempotencyGuard),
                storeOffsets: configuration.has(.offsetsStoredWithEffects) ? batch.nextOffsets : [], workerID: workerID)
        }
        // The cache is authoritative for accounts it knows; unknown accounts are read-modify-written by the
        // database (cache-aside) and their resulting balances cached when the batch commits.
        var running: [AccountID: Int64] = [:]
        let entries = batch.messages.map { message -> BatchEntry in
            let event = message.event!
            var balance = BalanceWrite.increment
            if let known = running[event.account] ?? balanceCache[event.account] {
                running[event.account] = known + event.amountCents
                balance = .overwrite(known + event.amountCents)
            }
            return BatchEntry(partition: message.partition, offset: message.offset, event: event, balance: balance)
        }
        return BatchWrite(entries: entries, deduplicate: false, storeOffsets: [], workerID: workerID)
    }

    /// Pauses fetching when too many fetched events wait, resumes below one batch (hysteresis), and keeps
    /// partitions that are loading offsets or being released paused.
    mutating func updateFlowControl() -> [ConsumerAction] {
        let queued = queuedEvents
        if queued >= configuration.queueHighWatermark {
            backpressured = true
        } else if queued <= configuration.batchMaxEvents {
            backpressured = false
        }
        var pause: [PartitionID] = []
        var resume: [PartitionID] = []
        for index in partitions.indices {
            let wanted = lifecycle != .running || backpressured || !partitions[index].isActive
            guard wanted != partitions[index].fetchPaused else { continue }
            partitions[index].fetchPaused = wanted
            if wanted { pause.append(partitions[index].id) } else { resume.append(partitions[index].id) }
        }
        var actions: [ConsumerAction] = []
        if !pause.isEmpty { actions.append(.pause(pause)) }
        if !resume.isEmpty { actions.append(.resume(resume)) }
        return actions
    }
}
