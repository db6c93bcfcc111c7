import Core
import LivePostgres

/// The parameters `LedgerStore` binds to each `LedgerSQL` statement, in one place: the store sends them, and the
/// database model's conformance test sends the same to PostgreSQL.
extension LedgerStore {
    static func guardedBatchParameters(_ write: BatchWrite, groupID: String, topic: String) -> [PostgresValue] {
        let entries = write.entries
        return [
            .text(PostgresArrayLiteral.uuids(entries.lazy.map(\.event.id))),
            .text(PostgresArrayLiteral.strings(entries.lazy.map(\.event.account.rawValue))),
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.event.amountCents))),
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.partition))),
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.offset))),
            .text(write.workerID), .text(groupID), .text(topic),
            .text(PostgresArrayLiteral.integers(write.storeOffsets.map(\.partition))),
            .text(PostgresArrayLiteral.integers(write.storeOffsets.map(\.offset))),
        ]
    }

    static func guardConflictsParameters(_ write: BatchWrite) -> [PostgresValue] {
        let entries = write.entries
        return [
            .text(PostgresArrayLiteral.uuids(entries.lazy.map(\.event.id))),
            .text(PostgresArrayLiteral.strings(entries.lazy.map(\.event.account.rawValue))),
            .text(PostgresArrayLiteral.integers(entries.lazy.map(\.event.amountCents))),
        ]
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

    static func fencedSettlementParameters(_ write: SettlementWrite, periodSeconds: Int64) -> [PostgresValue] {
        [.text(write.job), .int64(write.fromPeriod), .int64(write.throughPeriod), .int64(periodSeconds), .text(write.settledBy)]
    }
}
