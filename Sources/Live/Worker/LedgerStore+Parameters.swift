import Core
import LivePostgres

/// The parameters `LedgerStore` binds to each `LedgerSQL` statement, in one place: the store sends them, and the
/// database model's conformance test sends the same to PostgreSQL.
extension LedgerStore {
    static func guardedBatchParameters(_ write: BatchWrite, groupID: String, topic: String) -> [PostgresValue] {
        entryColumns(write.entries) + [
            .text(write.workerID), .text(groupID), .text(topic),
            .text(PostgresArrayLiteral.integers(write.storeOffsets.map(\.partition))),
            .text(PostgresArrayLiteral.integers(write.storeOffsets.map(\.offset))),
        ]
    }

    static func guardConflictsParameters(_ write: BatchWrite) -> [PostgresValue] {
        eventColumns(write.entries)
    }

    static func loadOffsetsParameters(_ partitions: [PartitionID], groupID: String, topic: String) -> [PostgresValue] {
        [.text(groupID), .text(topic), .text(PostgresArrayLiteral.integers(partitions))]
    }

    static func recordFailureParameters(_ record: FailureRecord) -> [PostgresValue] {
        [.text(record.eventID.description), .text(String(record.reason.prefix(2000)))]
    }

    static func markDeadLetteredParameters(_ mark: DeadLetterMark, groupID: String, topic: String) -> [PostgresValue] {
        [mark.eventID.map { .text($0.description) } ?? .null, .int32(mark.partition), .int64(mark.offset),
         .text(groupID), .text(topic)]
    }

    /// `before`: the accounts of the batch's entries (the statement takes each once, in account order).
    static func ensureAccountsParameters(_ write: BatchWrite) -> [PostgresValue] {
        [.text(PostgresArrayLiteral.strings(write.entries.lazy.map(\.event.account.rawValue)))]
    }

    /// `before`: every entry, unguarded, with the balance Core asked for (an increment, or an overwrite).
    static func plainBatchParameters(_ write: BatchWrite) -> [PostgresValue] {
        let entries = write.entries
        let overwrite = entries.map { entry -> (Bool, Int64) in
            if case .overwrite(let value) = entry.balance { return (true, value) }
            return (false, 0)
        }
        return entryColumns(entries) + [
            .text(PostgresArrayLiteral.booleans(overwrite.map(\.0))),
            .text(PostgresArrayLiteral.integers(overwrite.map(\.1))), .text(write.workerID),
        ]
    }

    /// `before`: only the stored offsets, through the guarded statement with no entries.
    static func offsetsOnlyParameters(_ write: BatchWrite, groupID: String, topic: String) -> [PostgresValue] {
        guardedBatchParameters(BatchWrite(entries: [], deduplicate: true, storeOffsets: write.storeOffsets, workerID: write.workerID),
                               groupID: groupID, topic: topic)
    }

    /// `countedEvents`: return the event ids of the ledger rows each settlement row counted.
    static func plainSettlementParameters(_ write: SettlementWrite, periodSeconds: Int64, countedEvents: Bool = true) -> [PostgresValue] {
        [.text(write.job), .int64(write.throughPeriod), .int64(periodSeconds), .text(write.settledBy), .bool(countedEvents)]
    }

    static func fencedSettlementParameters(_ write: SettlementWrite, periodSeconds: Int64, countedEvents: Bool = true) -> [PostgresValue] {
        [.text(write.job), .int64(write.fromPeriod), .int64(write.throughPeriod), .int64(periodSeconds), .text(write.settledBy),
         .bool(countedEvents)]
    }

    /// The entries' events as parallel arrays (ids, accounts, amounts): what the guard stores and compares.
    private static func eventColumns(_ entries: [BatchEntry]) -> [PostgresValue] {
        [
            .text(PostgresArrayLiteral.uuids(entries.lazy.map(\.event.id))),
            .text(PostgresArrayLiteral.strings(entries.lazy.map(\.event.account.rawValue))),
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.event.amountCents))),
        ]
    }

    /// The events' columns and then where each record sits (partitions, offsets), as every batch statement takes them.
    private static func entryColumns(_ entries: [BatchEntry]) -> [PostgresValue] {
        eventColumns(entries) + [
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.partition))),
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.offset))),
        ]
    }
}
