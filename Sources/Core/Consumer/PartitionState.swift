/// What one consumer knows about one partition it owns.
struct PartitionState: Sendable {
    enum Status: Hashable, Sendable {
        /// `after`: waiting for the offsets stored in the database; fetching is paused meanwhile.
        case loadingOffsets
        case active
        /// `after`: revoked while a transaction that touches it is in flight; released when it ends.
        case revoking
    }

    /// A head event that failed permanently: retried alone, not before `retryAt`.
    struct Suspect: Hashable, Sendable {
        var offset: Offset
        var retryAt: Timestamp
    }

    let id: PartitionID
    var status: Status
    /// Fetched messages not yet handed to a transaction, in offset order.
    var queue: [Message] = []
    /// Messages below this offset are stale copies (fetched before a seek) and are dropped.
    var nextExpected: Offset?
    /// The next offset after everything durably handled (`after`: what the database stores).
    var durableNext: Offset?
    /// The next offset last committed to Kafka by this consumer.
    var committedNext: Offset?
    /// `before`: librdkafka's stored offset, advanced when a message is handed to the application.
    var handedOffNext: Offset?
    /// What the driver was last told: paused or fetching.
    var fetchPaused = false
    var suspect: Suspect?
    /// `durable-retry-counter` switched off: the failed attempts of the head poison, in process memory only.
    var attemptsInMemory: MemoryAttempts?

    struct MemoryAttempts: Hashable, Sendable {
        var offset: Offset
        var count: Int
    }

    init(id: PartitionID, status: Status) {
        self.id = id
        self.status = status
    }

    var isActive: Bool { status == .active }
}
