/// A consumer-group protocol scenario, written once as data and run against both the simulator's coordinator
/// and librdkafka's mock cluster (Apache Kafka's classic group protocol, before KIP-848).
struct GroupScenario: Sendable, CustomStringConvertible {
    enum RebalanceProtocol: String, Sendable { case eager, cooperative }

    let name: String
    let rebalanceProtocol: RebalanceProtocol
    let partitions: Int
    /// Members commit the partitions a rebalance revokes before acknowledging it (the replica-safe hand-over),
    /// at offset `10 * (step + 1)`, so a later fetch shows which of those commits landed.
    let commitsOnRevoke: Bool
    let steps: [GroupStep]

    var description: String { name }
}

/// One scripted action. Each step ends when the group is stable again (or at once when nothing rebalances).
enum GroupStep: Sendable, CustomStringConvertible {
    /// The member subscribes and the group rebalances around it.
    case join(String)
    /// The member commits `offset` for every partition it owns, the group stable.
    case commit(String, offset: Int64)
    /// The member closes: LeaveGroup, and the others rebalance at once.
    case leave(String)
    /// The member with the highest member id closes. Range assigns in member-id order and the mock's ids are
    /// pointers, so with the eager protocol a named member's ranks (and what the rest revoke) would differ.
    case leaveHighestMemberID
    /// `newcomer` joins; `member` acknowledges its (eager) revocation, which sends its JoinGroup, and commits right
    /// after with the generation it still holds: the commit reaches the coordinator behind that JoinGroup, once
    /// the next generation exists.
    case staleCommit(String, newcomer: String, offset: Int64)
    /// The member stops heartbeating while its application keeps running; the coordinator expires it after
    /// `session.timeout.ms`, the others take over, and then the zombie commits what it still thinks it owns.
    case sessionExpiry(String, zombieCommit: Int64)
    /// The member's application stops polling for longer than `max.poll.interval.ms`: the client leaves the
    /// group, the others take over, and the member, polling again, commits what it had.
    case pollIntervalExceeded(String, lateCommit: Int64)
    /// The member (or, once it has left, any member) fetches the group's committed offsets of every partition.
    case fetchCommitted(String)

    var description: String {
        switch self {
        case .join(let m): "join \(m)"
        case .commit(let m, let offset): "commit \(m)@\(offset)"
        case .leave(let m): "leave \(m)"
        case .leaveHighestMemberID: "the member with the highest id leaves"
        case .staleCommit(let m, let newcomer, let offset): "join \(newcomer), \(m) commits@\(offset) behind its rejoin"
        case .sessionExpiry(let m, let offset): "session of \(m) expires, zombie commits@\(offset)"
        case .pollIntervalExceeded(let m, let offset): "\(m) exceeds max.poll.interval.ms, commits@\(offset)"
        case .fetchCommitted(let m): "\(m) fetches committed offsets"
        }
    }
}

extension GroupScenario {
    /// Every scenario, each scripted once.
    static let all: [GroupScenario] = [
        GroupScenario(name: "eager-1-to-5-and-back", rebalanceProtocol: .eager, partitions: 6, commitsOnRevoke: true, steps: [
            .join("A"), .commit("A", offset: 5), .join("B"), .join("C"), .join("D"), .join("E"),
            .leaveHighestMemberID, .leaveHighestMemberID, .fetchCommitted("A"),
        ]),
        // No commits on revoke here: whether one reaches the mock before another member's rejoin (and so gets
        // REBALANCE_IN_PROGRESS from it) is a race of the live run; the eager scenario covers those commits.
        GroupScenario(name: "cooperative-1-to-5-and-back", rebalanceProtocol: .cooperative, partitions: 6, commitsOnRevoke: false, steps: [
            .join("A"), .commit("A", offset: 5), .join("B"), .join("C"), .join("D"), .join("E"),
            .leave("E"), .leave("D"), .fetchCommitted("A"),
        ]),
        GroupScenario(name: "stale-generation", rebalanceProtocol: .eager, partitions: 4, commitsOnRevoke: false, steps: [
            .join("A"), .commit("A", offset: 3), .staleCommit("A", newcomer: "B", offset: 7), .fetchCommitted("B"),
        ]),
        GroupScenario(name: "session-expiry-zombie", rebalanceProtocol: .cooperative, partitions: 4, commitsOnRevoke: false, steps: [
            .join("A"), .join("Z"), .commit("Z", offset: 2), .sessionExpiry("Z", zombieCommit: 9), .fetchCommitted("A"),
        ]),
        GroupScenario(name: "max-poll-interval", rebalanceProtocol: .cooperative, partitions: 4, commitsOnRevoke: false, steps: [
            .join("A"), .join("P"), .commit("P", offset: 4), .pollIntervalExceeded("P", lateCommit: 8), .fetchCommitted("A"),
        ]),
    ]
}
