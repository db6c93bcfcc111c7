/// A unit of database work: one transaction. Drivers translate it to SQL (Live) or apply it to the
/// database model (Sim); both must give every case the semantics documented here.
public enum DatabaseWork: Hashable, Sendable {
    /// Read the offsets stored by `applyBatch` for these partitions (`after` mode, on assignment).
    case loadOffsets([PartitionID])
    case applyBatch(BatchWrite)
    /// Durably count one more failed attempt of an event; replies `.attempts(n)` with the new count.
    case recordFailure(FailureRecord)
    /// Mark an event as handled by the dead-letter topic and store the partition offset after it.
    case markDeadLettered(DeadLetterMark)
    case settle(SettlementWrite)
}

/// One transaction applying events in order.
///
/// With `deduplicate`, each entry first inserts its event into `processed_events` and has its effect only if
/// that row was new (`INSERT ... ON CONFLICT DO NOTHING`); without it, every entry has its effect.
/// The effect is a ledger row plus the entry's balance write. `storeOffsets` are upserted into
/// `consumer_offsets` (never moving backwards) in the same transaction.
public struct BatchWrite: Hashable, Sendable {
    public var entries: [BatchEntry]
    public var deduplicate: Bool
    public var storeOffsets: [PartitionOffset]
    public var workerID: String

    public init(entries: [BatchEntry], deduplicate: Bool, storeOffsets: [PartitionOffset], workerID: String) {
        self.entries = entries
        self.deduplicate = deduplicate
        self.storeOffsets = storeOffsets
        self.workerID = workerID
    }
}

public struct BatchEntry: Hashable, Sendable {
    public var partition: PartitionID
    public var offset: Offset
    public var event: Event
    public var balance: BalanceWrite

    public init(partition: PartitionID, offset: Offset, event: Event, balance: BalanceWrite) {
        self.partition = partition
        self.offset = offset
        self.event = event
        self.balance = balance
    }
}

/// How an effect changes the account balance.
public enum BalanceWrite: Hashable, Sendable {
    /// `balance = balance + amount`, in the effect's transaction (`after`; and `before` for accounts it has
    /// not cached yet, which is how a cache-aside read looks from the database).
    case increment
    /// `balance = value`: the `before` mode writes the total it keeps in process memory.
    case overwrite(Int64)
}

public struct FailureRecord: Hashable, Sendable {
    public var eventID: EventID
    public var partition: PartitionID
    public var offset: Offset
    public var reason: String

    public init(eventID: EventID, partition: PartitionID, offset: Offset, reason: String) {
        self.eventID = eventID
        self.partition = partition
        self.offset = offset
        self.reason = reason
    }
}

/// `processed_events` row with outcome `dead_lettered` (when the event could be decoded) and the stored offset.
public struct DeadLetterMark: Hashable, Sendable {
    public var eventID: EventID?
    public var partition: PartitionID
    public var offset: Offset

    public init(eventID: EventID?, partition: PartitionID, offset: Offset) {
        self.eventID = eventID
        self.partition = partition
        self.offset = offset
    }

    public var nextOffset: PartitionOffset { PartitionOffset(partition: partition, offset: offset + 1) }
}

/// The singleton job's write.
///
/// Fenced (`after`): for every period from `fromPeriod` through `throughPeriod`, insert `(job, period)` into
/// `settlement_fence` (`ON CONFLICT DO NOTHING`); only where that insert succeeded, insert the settlement row.
/// The look-back lets a run settle periods that ended while no replica was up. Unfenced (`before`): insert one
/// settlement row for `throughPeriod`.
public struct SettlementWrite: Hashable, Sendable {
    public var job: String
    public var fromPeriod: Int64
    public var throughPeriod: Int64
    public var fenced: Bool
    public var settledBy: String

    public init(job: String, fromPeriod: Int64, throughPeriod: Int64, fenced: Bool, settledBy: String) {
        self.job = job
        self.fromPeriod = min(fromPeriod, throughPeriod)
        self.throughPeriod = throughPeriod
        self.fenced = fenced
        self.settledBy = settledBy
    }
}
