/// What one consumer knows about one partition it owns.
struct PartitionState: Sendable {
    enum Status: Hashable, Sendable {
        /// `after`: waiting for the offsets stored in the database; fetching is paused meanwhile.
        case loadingOffsets
        case active
        /// `after`: revoked while a transaction that touches it is in flight; released when it ends.
        case revoking
    }

    /// A head event retried alone, not before `retryAt`: one that failed permanently, or one of a batch that
    /// kept failing transiently (`stuck-batch-isolation`).
    struct Suspect: Hashable, Sendable {
        var offset: Offset
        var retryAt: Timestamp
        /// Transient isolation: the failed batch's last offset in this partition. The event that stalls it is
        /// at or before this offset, so each head up to it is tried alone; nil once an event failed alone.
        var through: Offset? = nil
        /// Transient isolation: what the consumer had seen at the event's previous attempt (nil: a permanent
        /// suspect).
        var evidence: Evidence? = nil
    }

    /// Whether the database worked between two attempts of an isolated event, from the consumer's own work:
    /// batches committed and batches failed transiently so far, at the previous attempt.
    struct Evidence: Hashable, Sendable {
        var commits: Int
        var failures: Int
        /// Attempts that failed transiently and were not counted (the database was not shown to work): the
        /// back-off grows with them.
        var uncounted = 0
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
