/// What happened to pods and the group, kept for the summary, explanations and timelines.
struct Journal {
    enum Kind: Equatable {
        case started
        case ready
        case killed
        case terminated
        case exited(leftGroup: Bool)
        case frozen(until: Int64)
        case stalled(until: Int64)
        case isolated(until: Int64)
        case expired(member: Int32)
        case joined(member: Int32)
        case lostPartitions([Int32])
        case surge
        /// The client heard nothing from the coordinator for session.timeout.ms and gave its partitions up.
        case sessionTimedOut
        /// The client left the group because the application had not polled for max.poll.interval.ms.
        case leftOnPollTimeout(member: Int32)
    }

    struct Entry {
        var time: Int64
        var pod: Int32
        var kind: Kind
    }

    struct FaultNote {
        var time: Int64
        var kind: FaultKind
        var detail: String
        var pod: Int32?
    }

    var entries: [Entry] = []
    var faults: [FaultNote] = []
    var scaleSteps: [(time: Int64, replicas: Int)] = []
    /// Offset commits the coordinator wrote whose answer the client never got (commit-ambiguous).
    var ambiguousCommits = 0
    /// Offset commits answered REBALANCE_IN_PROGRESS (the group was completing a round).
    var commitsRebalanceInProgress = 0

    mutating func note(_ kind: Kind, pod: Int32, at time: Int64) {
        entries.append(Entry(time: time, pod: pod, kind: kind))
    }

    func count(where predicate: (Kind) -> Bool) -> Int {
        entries.reduce(0) { $0 + (predicate($1.kind) ? 1 : 0) }
    }
}
