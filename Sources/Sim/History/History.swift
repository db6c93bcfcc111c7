import Core

/// What a run did, as facts a checker can read without looking into any model's state: the transactions the
/// database ended (when they were sent, when they ended, what they wrote), what each client was told about its
/// partitions, how each SIGTERMed process ended, and every counted failure of a poison event. Each fact is one a
/// live worker can log as it happens, so the checkers that read them can read a live run's log as well.
struct History {
    /// A transaction that wrote to partitions (a batch, a failure record, a dead-letter mark) and ended.
    struct Transaction {
        var pod: Int32
        var member: Int32
        var generation: Int32
        var submitted: Int64
        var ended: Int64
        /// Committed on the server (an ambiguous failure that applied counts; the client may not know).
        var committed: Bool
        /// The records a batch carried (applied or skipped by the guard: it processed them), as a range of
        /// `History.records` (one array for the run, not one per transaction).
        var recordStart: Int32
        var recordEnd: Int32
        /// The partition a failure record or dead-letter mark wrote to; a batch writes its records' partitions
        /// (and stores offsets only for those).
        var partition: PartitionID?
    }

    enum OwnershipChange: Equatable {
        /// The client handed these partitions to the consumer.
        case assigned
        /// The consumer acknowledged a revocation: it let go of them.
        case revoked
        /// The client found it had been thrown out of the group: they were taken, not handed back.
        case lost
    }

    struct Ownership {
        var time: Int64
        var pod: Int32
        var partitions: [PartitionID]
        var change: OwnershipChange
    }

    /// How a process that received SIGTERM ended.
    struct Shutdown {
        var pod: Int32
        var sigterm: Int64
        var ended: Int64
        /// It exited on its own; false: the kubelet or a fault SIGKILLed it.
        var exited: Bool
        /// It asked its client to leave the group (LeaveGroup) before it ended.
        var leaveRequested: Bool
        /// Database transactions it had sent that had not ended when it did.
        var openTransactions: Int
    }

    /// A failed attempt of a poison event, with the count that decided what happened next.
    struct FailureCount {
        var time: Int64
        var pod: Int32
        var event: Int32
        var partition: PartitionID
        var offset: Offset
        var attempts: Int
        /// Counted by the database (`recordFailure`); false: in the consumer's memory.
        var durable: Bool
    }

    var transactions: [Transaction] = []
    var records: [PartitionOffset] = []
    var ownership: [Ownership] = []
    var shutdowns: [Shutdown] = []
    var failureCounts: [FailureCount] = []

    /// Records a transaction that ended, with the records it carried.
    mutating func append(pod: Int32, member: Int32, generation: Int32, submitted: Int64, ended: Int64, committed: Bool,
                         records carried: some Sequence<PartitionOffset>, partition: PartitionID? = nil) {
        let start = Int32(records.count)
        records.append(contentsOf: carried)
        transactions.append(Transaction(pod: pod, member: member, generation: generation, submitted: submitted, ended: ended,
                                        committed: committed, recordStart: start, recordEnd: Int32(records.count),
                                        partition: partition))
    }

    func records(of transaction: Transaction) -> ArraySlice<PartitionOffset> {
        records[Int(transaction.recordStart)..<Int(transaction.recordEnd)]
    }

    /// The partitions a transaction wrote to, each once.
    func partitions(of transaction: Transaction) -> [PartitionID] {
        if let partition = transaction.partition { return [partition] }
        var partitions: [PartitionID] = []
        for record in records(of: transaction) where partitions.last != record.partition && !partitions.contains(record.partition) {
            partitions.append(record.partition)
        }
        return partitions
    }
}
