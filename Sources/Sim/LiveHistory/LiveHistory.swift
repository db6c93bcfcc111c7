public import Core

/// A live run's facts, read from the workers' history files (`HISTORY_FILE`, one JSON object per line) and the
/// list of events the producer had acknowledged, in the shapes the simulator's checkers read: the same
/// `History` the simulated world records, applications per produced event, dead letters, settlement rows and
/// Kafka offset commits. Times are milliseconds since the earliest line (`origin`, Unix milliseconds).
public struct LiveHistory: Sendable {
    public struct ProducedEvent: Sendable {
        public var id: String
        public var account: String
        public var amountCents: Int64
        public var poison: Bool

        public init(id: String, account: String, amountCents: Int64, poison: Bool = false) {
            self.id = id
            self.account = account
            self.amountCents = amountCents
            self.poison = poison
        }
    }

    struct Settlement {
        var period: Int64
        var pod: Int32
        var time: Int64
        /// When the worker sent the settlement transaction (before its BEGIN).
        var submitted: Int64
        /// The settlement row's total and the events of the ledger rows it counted (produced indices); nil from
        /// a worker that did not record them.
        var totalCents: Int64?
        var batches = 0
        var counted: [Int32] = []
    }

    /// A ledger row the history shows: an entry of a committed batch that had its effect.
    struct LedgerEntry {
        var event: Int32
        var amountCents: Int64
        var account: String
        var pod: Int32
        var member: Int32
        var generation: Int32
        var partition: PartitionID
        var offset: Offset
        var submitted: Int64
        /// When the worker learnt its transaction committed: the latest its `applied_at` can be.
        var committed: Int64
    }

    struct DeadLetter {
        var event: Int32?
        var pod: Int32
        var time: Int64
        var reason: String
    }

    public internal(set) var mode: ProcessingMode = .after
    public internal(set) var origin: Int64 = 0
    public internal(set) var lines = 0
    /// One name per worker process: the worker id, with `#2`, `#3` for later processes of the same id.
    public internal(set) var pods: [String] = []
    var members: [String] = []
    /// Produced events first (their index is the produced index), then other ids the history named.
    var eventIDs: [String] = []
    var produced: [ProducedEvent] = []
    var history = History()
    /// Per committed batch entry that had its effect, in commit order.
    var applications: [Application] = []
    /// The event each record carried, by `partition << 40 | offset`.
    var recordEvents: [Int64: Int32] = [:]
    /// Effects per event index (`eventIDs`).
    var effects: [Int32] = []
    /// Applications of events the producer never acknowledged.
    public internal(set) var unexpectedApplications = 0
    /// Committed guarded batches that skipped some entries: which ones had their effect is inferred (an entry
    /// applies iff no earlier application of its event is in the history, which is what the guard does).
    public internal(set) var partialBatches = 0
    /// Transactions whose COMMIT outcome the worker never learnt (the connection dropped during COMMIT).
    public internal(set) var ambiguousTransactions = 0
    var deadLetters: [DeadLetter] = []
    var settlements: [Settlement] = []
    /// Per `applications` entry, the ledger row it wrote.
    var ledger: [LedgerEntry] = []
    var commits: [GroupCoordinator.CommitRecord] = []
    var settlementPeriod: Int64 = 60_000
    var sessionTimeout: Int64 = 10_000
    var gracePeriod: Int64 = 20_000
    var maxAttempts = 5
    /// Per pod: whether its process wrote an `exit` line (false: it was SIGKILLed or crashed).
    var exited: [Bool] = []
    /// Exit lines that name transactions still in flight (their outcome is not in the history).
    var exitsWithOpenTransactions = 0
    /// Per pod: its first and last line.
    var lifetimes: [(start: Int64, end: Int64)] = []

    func podName(_ pod: Int32) -> String { pod >= 0 && Int(pod) < pods.count ? pods[Int(pod)] : "an unknown worker" }
    func memberName(_ member: Int32) -> String { member >= 0 && Int(member) < members.count ? members[Int(member)] : "unknown" }
    func eventName(of record: PartitionOffset) -> String {
        recordEvents[Int64(record.partition) << 40 | record.offset].map(eventName) ?? "unknown"
    }
    func eventName(_ event: Int32) -> String { event >= 0 && Int(event) < eventIDs.count ? eventIDs[Int(event)] : "unknown" }
}

/// A line the reader could not use, with the file and line number.
public struct LiveHistoryError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var reason: String
    public var description: String { "\(file):\(line): \(reason)" }

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
}
