public import Core
import LivePostgres
import Logging

/// The database's own rate for the `after` worker's writes: given batches run back to back through the
/// worker's `LedgerStore` (one connection; BEGIN, the guarded batch statement, COMMIT per batch; statements
/// prepared the same way), with no Kafka, no Core and no decoding in the loop. `make bench-worker` replays the
/// batches an `after` worker committed, so the two rates compare the same writes.
public enum LedgerCeiling {
    public struct Report: Sendable {
        public var batches: Int
        public var events: Int
        /// From the first BEGIN to the last COMMIT.
        public var seconds: Double
        /// The longest single batch transaction.
        public var maxBatchSeconds: Double
        /// The server process of the connection (its CPU time is PostgreSQL's cost of these writes).
        public var backendPID: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Applies every batch (each must be an `after` write: `deduplicate` true) to the database at `url`,
    /// which is migrated first; fails on the first batch that does not commit with all its events applied.
    public static func run(url: String, groupID: String, topic: String, batches: [BatchWrite]) async throws -> Report {
        var config = PostgresConfig(url: url)
        config.applicationName = "ledger-ceiling"
        let connection = try await PostgresConnection.connect(config)
        try await Schema.migrate(connection)
        let store = LedgerStore(
            connection: connection, groupID: groupID, topic: topic, settlementPeriodSeconds: 60,
            logger: Logger(label: "ledger-ceiling"))
        try await store.prepare()
        let clock = ContinuousClock()
        let started = clock.now
        var longest = Duration.zero
        var events = 0
        for (index, batch) in batches.enumerated() {
            guard batch.deduplicate else { throw Failure(description: "batch \(index) is not an after-mode write") }
            let batchStarted = clock.now
            let (result, _) = await store.run(.applyBatch(batch))
            longest = max(longest, clock.now - batchStarted)
            guard case .committed(.batch(let outcome)) = result, outcome.applied == batch.entries.count else {
                throw Failure(description: "batch \(index) of \(batch.entries.count) events: \(result)")
            }
            events += outcome.applied
        }
        let elapsed = clock.now - started
        let pid = await connection.backendPID()
        return Report(
            batches: batches.count, events: events, seconds: elapsed.seconds, maxBatchSeconds: longest.seconds,
            backendPID: Int(pid))
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
