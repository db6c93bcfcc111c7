import Core

/// One application of an event's effect (a committed ledger row), tied to the planned event its record came
/// from, for counting and explanations.
struct Application {
    var event: Int32
    /// When its transaction committed.
    var time: Int64
    var pod: Int32
    var member: Int32
    var generation: Int32
    var partition: PartitionID
    var offset: Offset
    /// The client was told the transaction failed although it committed.
    var ambiguous: Bool
    /// Index into the history's ledger rows.
    var row: Int32
}

/// What the checkers read of the database: its committed history mapped onto the scenario's planned events
/// (a ledger row's record, partition and offset, names its event), and the final balances.
struct DatabaseFacts {
    /// Every application, when some event was applied more than once (only duplicates need them).
    var applications: [Application] = []
    /// Applications per planned event.
    var effects: [Int32] = []
    /// Final balance per account index.
    var balances: [Int64] = []
}

extension World {
    func collectDatabaseFacts() -> DatabaseFacts {
        // Statements that arrived before the run ended were run in it (`World+DatabaseDeferral.swift`).
        runDeferredStatements(through: stopped ? now : timeLimit)
        let history = database.history
        var facts = DatabaseFacts()
        facts.effects = Array(repeating: 0, count: scenario.events.count)
        var duplicated = false
        for row in history.ledger {
            let event = Int(topic.origin(partition: row.partition, offset: row.offset))
            facts.effects[event] += 1
            duplicated = duplicated || facts.effects[event] > 1
        }
        if duplicated {
            facts.applications.reserveCapacity(history.ledger.count)
            for (index, row) in history.ledger.enumerated() {
                let transaction = history.transactions[Int(row.transaction)]
                facts.applications.append(Application(
                    event: topic.origin(partition: row.partition, offset: row.offset), time: transaction.commitTime,
                    pod: transaction.writer.pod, member: transaction.writer.member, generation: transaction.writer.generation,
                    partition: row.partition, offset: row.offset, ambiguous: transaction.replyLost, row: Int32(index)))
            }
        }
        facts.balances = accountIDs.map { database.balance(of: $0) }
        return facts
    }
}
