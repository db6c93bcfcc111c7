import Core

/// The consumer group coordinator (classic protocol, before KIP-848): membership with session timeouts,
/// join/sync rounds with eager or cooperative assignment, and offset commits checked against the generation.
///
/// A round goes PreparingRebalance (waiting for every member's JoinGroup) -> CompletingRebalance (the new
/// generation exists; the JoinGroup answers are on their way and the leader's SyncGroup, carrying the assignment,
/// has not arrived) -> Stable. As Apache Kafka's `GroupCoordinator.handleCommitOffsets`, commits are accepted in
/// Stable and PreparingRebalance and answered `REBALANCE_IN_PROGRESS` in CompletingRebalance.
struct GroupCoordinator {
    enum RebalanceProtocol: String { case eager, cooperative }

    struct Member {
        var id: Int32
        var pod: Int32
        var lastHeartbeat: Int64
        /// Joined the current rebalance round.
        var joined: Bool
        /// Partitions it reported owning when it joined (cooperative).
        var owned: [PartitionID]
    }

    enum HeartbeatAnswer { case ok, unknownMember, rebalanceInProgress }

    /// A commit as the coordinator saw it, for the offset checker and explanations.
    struct CommitRecord {
        var time: Int64
        var pod: Int32
        var member: Int32
        var generation: Int32
        var offset: PartitionOffset
        var accepted: Bool
    }

    /// The members and assignment a rebalance round produced.
    struct Round {
        var time: Int64
        var generation: Int32
        var members: [Int32]
        var pods: [Int32]
        var assignment: [[PartitionID]]
    }

    let rebalanceProtocol: RebalanceProtocol
    let partitions: Int
    private(set) var members: [Member] = []
    private(set) var generation: Int32 = 0
    private(set) var rebalancing = false
    /// CompletingRebalance: the round of `generation` waits for its leader's SyncGroup.
    private(set) var completing = false
    private(set) var rebalanceDeadline: Int64 = 0
    private(set) var committed: [Offset?]
    private(set) var commits: [CommitRecord] = []
    private(set) var rounds: [Round] = []
    private var nextMemberID: Int32 = 1
    /// A defect a test plants to show that the conformance comparison against librdkafka's mock catches it;
    /// nil in every run of the simulator.
    var plantedDefect: PlantedDefect?

    enum PlantedDefect { case acceptsStaleGeneration }

    init(protocol rebalanceProtocol: RebalanceProtocol, partitions: Int) {
        self.rebalanceProtocol = rebalanceProtocol
        self.partitions = partitions
        self.committed = Array(repeating: nil, count: partitions)
    }

    func member(_ id: Int32) -> Member? { members.first { $0.id == id } }

    var isStable: Bool { !rebalancing && !completing }

    /// JoinGroup. A new member (no id) is added and a round starts; a known member joins the current round
    /// (or starts one, as a cooperative member does after revoking).
    mutating func join(pod: Int32, member id: Int32?, owned: [PartitionID], now: Int64, rebalanceTimeout: Int64) -> Int32 {
        if let id, let index = members.firstIndex(where: { $0.id == id }) {
            members[index].owned = owned
            members[index].lastHeartbeat = now
            if !rebalancing { startRound(now: now, rebalanceTimeout: rebalanceTimeout) }
            members[index].joined = true
            return id
        }
        let newID = nextMemberID
        nextMemberID += 1
        members.append(Member(id: newID, pod: pod, lastHeartbeat: now, joined: false, owned: []))
        startRound(now: now, rebalanceTimeout: rebalanceTimeout)
        members[members.count - 1].joined = true
        return newID
    }

    mutating func startRound(now: Int64, rebalanceTimeout: Int64) {
        guard !rebalancing else { return }
        rebalancing = true
        completing = false  // a round waiting for its SyncGroup is abandoned: its members must join again
        rebalanceDeadline = now + rebalanceTimeout
        for index in members.indices { members[index].joined = false }
    }

    mutating func heartbeat(member id: Int32, now: Int64) -> HeartbeatAnswer {
        guard let index = members.firstIndex(where: { $0.id == id }) else { return .unknownMember }
        members[index].lastHeartbeat = now
        return rebalancing && !members[index].joined ? .rebalanceInProgress : .ok
    }

    /// LeaveGroup: the member goes at once and the others rebalance without waiting for a session timeout.
    mutating func leave(member id: Int32, now: Int64, rebalanceTimeout: Int64) -> Bool {
        guard let index = members.firstIndex(where: { $0.id == id }) else { return false }
        members.remove(at: index)
        restartRound(now: now, rebalanceTimeout: rebalanceTimeout)
        return true
    }

    /// Expires members silent for longer than the session timeout, and, past the rebalance deadline, members
    /// that never rejoined. Returns the expired members.
    mutating func expire(now: Int64, sessionTimeout: Int64, rebalanceTimeout: Int64) -> [Member] {
        var expired = members.filter { now - $0.lastHeartbeat > sessionTimeout }
        if rebalancing, now > rebalanceDeadline {
            expired += members.filter { !$0.joined && now - $0.lastHeartbeat <= sessionTimeout }
        }
        guard !expired.isEmpty else { return [] }
        members.removeAll { member in expired.contains { $0.id == member.id } }
        restartRound(now: now, rebalanceTimeout: rebalanceTimeout)
        return expired
    }

    private mutating func restartRound(now: Int64, rebalanceTimeout: Int64) {
        if rebalancing {
            rebalanceDeadline = max(rebalanceDeadline, now)
        } else if !members.isEmpty {
            startRound(now: now, rebalanceTimeout: rebalanceTimeout)
        }
        if members.isEmpty {
            rebalancing = false
            completing = false
        }
    }

    /// Completes the round once every member has joined: a new generation and its assignment.
    mutating func completeIfReady(now: Int64) -> Round? {
        guard rebalancing, !members.isEmpty, members.allSatisfy(\.joined) else { return nil }
        rebalancing = false
        completing = true
        generation += 1
        let ids = members.map(\.id)
        let assignment: [[PartitionID]]
        switch rebalanceProtocol {
        case .eager: assignment = Assignor.range(members: ids, partitions: partitions)
        case .cooperative:
            assignment = Assignor.cooperativeSticky(members: ids, owned: members.map(\.owned), partitions: partitions)
        }
        let round = Round(time: now, generation: generation, members: ids, pods: members.map(\.pod), assignment: assignment)
        rounds.append(round)
        return round
    }

    /// The leader's SyncGroup for `generation` arrived: the round is complete (Stable) unless a newer round
    /// started meanwhile, in which case every member of this one gets `REBALANCE_IN_PROGRESS` and joins again.
    mutating func leaderSynced(generation synced: Int32) -> Bool {
        guard completing, synced == generation else { return false }
        completing = false
        return true
    }

    /// Whether the round of `generation` still waits for its leader's SyncGroup.
    func isCompleting(_ round: Int32) -> Bool { completing && round == generation }

    /// OffsetCommit: accepted only from a current member in the current generation (ILLEGAL_GENERATION,
    /// UNKNOWN_MEMBER_ID otherwise), and not while the round completes (REBALANCE_IN_PROGRESS: the member has its
    /// JoinGroup answer, the group has no assignment yet). Like Kafka, it does not check who owns the partition.
    mutating func commit(_ commit: OffsetCommit, member id: Int32, pod: Int32, now: Int64) -> CommitResult {
        let result: CommitResult
        if member(id) == nil {
            result = .failed(.unknownMember)
        } else if commit.generation != generation, plantedDefect != .acceptsStaleGeneration {
            result = .failed(.staleGeneration)
        } else if completing {
            result = .failed(.rebalanceInProgress)
        } else {
            result = .committed
        }
        let accepted = result == .committed
        for offset in commit.offsets {
            commits.append(CommitRecord(time: now, pod: pod, member: id, generation: commit.generation,
                                        offset: offset, accepted: accepted))
            if accepted { committed[Int(offset.partition)] = offset.offset }
        }
        return result
    }

    /// A coordinator fail-over after a broker outage starts everyone's session afresh.
    mutating func refreshSessions(now: Int64) {
        for index in members.indices { members[index].lastHeartbeat = now }
        if rebalancing { rebalanceDeadline = max(rebalanceDeadline, now) }
    }
}
