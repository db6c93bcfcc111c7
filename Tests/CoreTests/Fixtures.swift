import Core

/// Builders and action queries that keep the tests about behaviour, not plumbing.
enum Fixtures {
    static func event(_ serial: UInt64, account: String = "acct-1", amount: Int64 = 100) -> Event {
        Event(id: EventID(high: 0xABCD, low: serial), account: AccountID(account), amountCents: amount,
              occurredAt: Timestamp(milliseconds: Int64(serial)))
    }

    static func message(_ partition: PartitionID, _ offset: Offset, account: String = "acct-1", amount: Int64 = 100) -> Message {
        Message(partition: partition, offset: offset,
                event: event(UInt64(partition) << 32 | UInt64(offset), account: account, amount: amount))
    }

    static func machine(_ mode: ProcessingMode, batch: Int = 500, seed: UInt64 = 7, without: [Safeguard] = []) -> ConsumerStateMachine {
        var configuration = ConsumerConfiguration(mode: mode, workerID: "w1", batchMaxEvents: batch, randomSeed: seed,
                                                  disabledSafeguards: without)
        configuration.settlementPeriodMilliseconds = 60_000
        return ConsumerStateMachine(configuration: configuration)
    }

    /// A started `after` consumer owning `partitions`, offsets loaded as `stored` (nil: none stored).
    static func runningAfter(_ partitions: [PartitionID], stored: Offset? = nil, batch: Int = 500,
                             without: [Safeguard] = []) -> ConsumerStateMachine {
        var consumer = machine(.after, batch: batch, without: without)
        _ = consumer.start(now: .zero)
        let actions = consumer.partitionsAssigned(partitions, generation: 1, now: .zero)
        let (request, _) = actions.executes[0]
        _ = consumer.databaseCompleted(
            request, result: .committed(.offsets(partitions.map { StoredOffset(partition: $0, nextOffset: stored) })),
            now: .zero)
        return consumer
    }

    static func runningBefore(_ partitions: [PartitionID], batch: Int = 500) -> ConsumerStateMachine {
        var consumer = machine(.before, batch: batch)
        _ = consumer.start(now: .zero)
        _ = consumer.partitionsAssigned(partitions, generation: 1, now: .zero)
        return consumer
    }

    static func batchCommitted(applied: Int, skipped: Int = 0, balances: [AccountBalance] = []) -> DatabaseResult {
        .committed(.batch(BatchOutcome(applied: applied, skippedDuplicates: skipped, balances: balances)))
    }

    static let at1s = Timestamp(milliseconds: 1_000)
}

extension Array where Element == ConsumerAction {
    var executes: [(RequestID, DatabaseWork)] {
        compactMap { if case .execute(let id, let work) = $0 { return (id, work) } else { return nil } }
    }

    var batches: [(RequestID, BatchWrite)] {
        executes.compactMap { if case .applyBatch(let write) = $0.1 { return ($0.0, write) } else { return nil } }
    }

    var commits: [(RequestID, OffsetCommit)] {
        compactMap { if case .commitOffsets(let id, let commit) = $0 { return (id, commit) } else { return nil } }
    }

    var deadLetters: [(RequestID, DeadLetter)] {
        compactMap { if case .publishDeadLetter(let id, let letter) = $0 { return (id, letter) } else { return nil } }
    }

    var acknowledged: [PartitionID] {
        flatMap { action -> [PartitionID] in
            if case .acknowledgeRevocation(let partitions) = action { return partitions } else { return [] }
        }
    }

    func scheduled(_ timer: TimerID) -> Timestamp? {
        for case .scheduleTimer(let id, let time) in self where id == timer { return time }
        return nil
    }

    var exits: Bool { contains(.exit) }
}
