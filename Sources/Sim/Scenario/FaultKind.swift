/// The faults the simulator can inject. Each has a real-world counterpart named in docs/simulator.md.
public enum FaultKind: String, CaseIterable, Hashable, Sendable, Comparable {
    /// SIGKILL a worker pod (OOM kill, node loss); the Deployment starts a replacement.
    case kill
    /// SIGTERM a worker pod with its grace period (rolling restart, node drain); a replacement starts.
    case terminate
    /// Stop-the-world pause past the session timeout (GC, CPU throttling, VM steal): the pod becomes a zombie.
    case pause
    /// A surge pod joins the group for a few seconds and leaves (rolling update with maxSurge).
    case rebalance
    /// Transactions fail transiently for a while (serialization failures, failover, connection resets).
    case dbTransient = "db-transient"
    /// Commits are acknowledged ambiguously for a while: applied on the server, error seen by the client.
    case dbAmbiguous = "db-ambiguous"
    /// The database refuses connections for a while.
    case dbOutage = "db-outage"
    /// The Kafka brokers are unreachable for a while: no fetches, no commits, no produces.
    case brokerOutage = "broker-outage"
    /// An upstream client retries a request with the same event id: the event is written to Kafka twice.
    case producerRetry = "producer-retry"
    /// Events no consumer can apply: undecodable bytes or an amount the ledger's CHECK constraint refuses.
    case poison
    /// A client reuses an event id for another event (another account or amount): the one applied first
    /// stands, and every other must go to the dead-letter topic as `event_id_conflict`, never be skipped as
    /// a duplicate.
    case idReuse = "id-reuse"
    /// Offset commits are written by the coordinator but answered with an error for a while (a timeout, a
    /// connection lost on the way back).
    case commitAmbiguous = "commit-ambiguous"
    /// One pod is cut off from the brokers but still reaches the database: a zombie once its session expires.
    case brokerIsolation = "broker-isolation"
    /// One pod stops polling for longer than max.poll.interval.ms while its heartbeats and its processing go on:
    /// the client leaves the group, the consumer learns it at its next poll and rejoins.
    case maxPollExceeded = "max-poll-exceeded"
    /// A whole availability zone is lost (the twin's cluster model only): its nodes and pods, and the broker
    /// that led a third of the partitions.
    case zoneOutage = "zone-outage"

    /// The kinds the default scenario's swarm draws from (the twin adds zone outages itself).
    public static let swarmKinds: [FaultKind] = [
        .kill, .terminate, .pause, .rebalance, .dbTransient, .dbAmbiguous, .dbOutage, .brokerOutage, .producerRetry, .poison,
        .commitAmbiguous, .brokerIsolation, .maxPollExceeded,
    ]

    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which faults a run may draw.
public enum FaultSelection: Hashable, Sendable, CustomStringConvertible {
    case none
    /// Each fault kind is switched on or off by the seed, with a seed-drawn count (swarm testing).
    case swarm
    /// Exactly these kinds, with seed-drawn counts.
    case list([FaultKind])

    /// Parses `none`, `swarm` or a comma-separated list of fault names.
    public init?(parsing text: String) {
        switch text {
        case "none": self = .none
        case "swarm": self = .swarm
        default:
            var kinds: [FaultKind] = []
            for name in text.split(separator: ",") {
                guard let kind = FaultKind(rawValue: String(name)) else { return nil }
                if !kinds.contains(kind) { kinds.append(kind) }
            }
            guard !kinds.isEmpty else { return nil }
            self = .list(kinds.sorted())
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .swarm: return "swarm"
        case .list(let kinds): return kinds.map(\.rawValue).joined(separator: ",")
        }
    }
}
