import Core

/// A worker pod: the Core state machine plus what its Kafka client and process know.
struct Pod {
    /// `pending`: scheduled but no node has room yet (the twin's cluster model).
    enum Phase: Equatable { case pending, starting, running, terminating, dead }

    /// Where a pod sits in its group's rebalance protocol, from the client's side.
    enum JoinState: Equatable {
        case idle
        /// Eager: revoking everything before JoinGroup.
        case revokingBeforeJoin
        /// JoinGroup sent; waiting for the SyncGroup answer.
        case joining
        /// Cooperative: revoking what the new assignment took away; rejoins when done.
        case revokingAfterSync
    }

    enum Role: Equatable {
        /// A replica of the worker Deployment in this slot.
        case replica(slot: Int, incarnation: Int)
        /// A short-lived extra pod of a rolling update.
        case surge(number: Int)
    }

    let role: Role
    var phase: Phase = .starting
    var machine: ConsumerStateMachine
    var member: Int32?
    var generation: Int32 = 0
    var joinState: JoinState = .idle
    var assignment: [PartitionID] = []
    /// Partitions being revoked whose release the consumer has not acknowledged yet.
    var pendingRevocation: [PartitionID] = []
    var positions: [Offset?]
    var paused: [Bool]
    var fetchScheduled = false
    /// Requests to the group coordinator travel over one TCP connection: they arrive in the order sent.
    var coordinatorChannelFreeAt: Int64 = 0
    /// A stop-the-world pause: nothing of this process runs before this time.
    var frozenUntil: Int64 = 0
    /// The application thread is blocked (its transaction waits on a lock); the client's background thread runs.
    var stalledUntil: Int64 = 0
    /// Cut off from the brokers (not from the database) until this time.
    var isolatedUntil: Int64 = 0
    /// The last answer the client had from the group coordinator (its own session timeout counts from here).
    var lastCoordinatorAnswer: Int64 = 0
    /// The client left the group on max.poll.interval.ms; the application learns it at its next poll.
    var leftOnPollTimeout = false
    /// Replace this pod when it exits (a kill or rolling restart, not a scale-down).
    var replaceOnExit = false
    /// The twin's placement: node index and zone.
    var node: Int?
    var zone: Int?
    var timers: [(TimerID, UInt32)] = []
    var nextTimerToken: UInt32 = 0
    /// Transactions handed to the database lane whose job has not finished (for the history).
    var openTransactions: [OpenTransaction] = []
    /// When the process got SIGTERM (the consumer saw it), and whether it asked to leave the group since.
    var sigtermAt: Int64?
    var leaveRequested = false
    /// How many of the consumer's in-memory failure counts the history has taken.
    var failureCountsSeen = 0

    struct OpenTransaction {
        var request: RequestID
        var submitted: Int64
        /// The member and generation the consumer's client had when it handed the work over.
        var member: Int32
        var generation: Int32
    }

    init(role: Role, machine: ConsumerStateMachine, partitions: Int) {
        self.role = role
        self.machine = machine
        self.positions = Array(repeating: nil, count: partitions)
        self.paused = Array(repeating: false, count: partitions)
    }

    var name: String {
        switch role {
        case .replica(let slot, let incarnation): return "w\(slot).\(incarnation)"
        case .surge(let number): return "surge\(number)"
        }
    }

    var slot: Int? {
        if case .replica(let slot, _) = role { return slot }
        return nil
    }

    var isAlive: Bool { phase != .dead }
    var consumes: Bool { phase == .running || phase == .terminating }

    mutating func arm(_ timer: TimerID) -> UInt32 {
        nextTimerToken &+= 1
        if let index = timers.firstIndex(where: { $0.0 == timer }) {
            timers[index].1 = nextTimerToken
        } else {
            timers.append((timer, nextTimerToken))
        }
        return nextTimerToken
    }

    mutating func disarm(_ timer: TimerID) {
        timers.removeAll { $0.0 == timer }
    }

    /// True (and disarms it) when `token` is the live arming of `timer`.
    mutating func fire(_ timer: TimerID, token: UInt32) -> Bool {
        guard let index = timers.firstIndex(where: { $0.0 == timer && $0.1 == token }) else { return false }
        timers.remove(at: index)
        return true
    }
}
