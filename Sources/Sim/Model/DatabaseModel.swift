import Core

/// The PostgreSQL model: the schema of db/schema.sql reduced to what the checkers need, with the failure
/// modes that matter. A transaction applies atomically at its completion time; one connection per pod
/// serialises that pod's transactions, as libpq does.
struct DatabaseModel {
    /// One application of an event's effect (a ledger row), for counting and for explanations.
    struct Application {
        var event: Int32
        var time: Int64
        var pod: Int32
        var member: Int32
        var generation: Int32
        var partition: PartitionID
        var offset: Offset
        /// The client was told the transaction failed although it committed.
        var ambiguous: Bool
    }

    struct SettlementRow {
        var period: Int64
        var pod: Int32
        var time: Int64
    }

    enum Outcome {
        case applied(DatabaseReply)
        case failed(DatabaseFailure)
        case appliedButAmbiguous(DatabaseReply)
    }

    var effects: [Int32]
    var guardRows: [UInt8]          // processed_events: 0 none, 1 applied, 2 dead_lettered
    var attempts: [Int32]
    var balances: [Int64]
    var storedOffsets: [Offset?]
    var applications: [Application] = []
    var settlements: [SettlementRow] = []
    var fencedPeriods: Set<Int64> = []
    var connectionFreeAt: [Int64] = []
    var transactions = 0

    init(events: Int, accounts: Int, partitions: Int) {
        effects = Array(repeating: 0, count: events)
        guardRows = Array(repeating: 0, count: events)
        attempts = Array(repeating: 0, count: events)
        balances = Array(repeating: 0, count: accounts)
        storedOffsets = Array(repeating: nil, count: partitions)
    }

    /// When a transaction submitted now by `pod` completes: after the pod's previous one, plus latency.
    mutating func completionTime(pod: Int32, now: Int64, latency: Int64) -> Int64 {
        let index = Int(pod)
        if connectionFreeAt.count <= index {
            connectionFreeAt += Array(repeating: 0, count: index + 1 - connectionFreeAt.count)
        }
        let done = max(now, connectionFreeAt[index]) + latency
        connectionFreeAt[index] = done
        return done
    }

    /// The ledger's CHECK constraint (db/schema.sql).
    static let amountLimit: Int64 = 1_000_000_000_000
}
