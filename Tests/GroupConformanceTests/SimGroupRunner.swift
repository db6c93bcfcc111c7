import Core
@testable import Sim

/// Runs a scenario against the simulator's `GroupCoordinator` and `Assignor`, with each member doing what a
/// classic-protocol client (librdkafka, the Java consumer) does: it learns of a round from its heartbeat,
/// revokes everything before rejoining (eager) or rejoins owning what it owns and rejoins again after revoking
/// what the round took away (cooperative, KIP-429), and commits with the generation it last joined.
struct SimGroupRunner {
    struct Member {
        var name: String
        var id: Int32?
        var owned: [PartitionID] = []
        var generation: Int32 = -1
    }

    static let sessionTimeout: Int64 = 3_000
    static let rebalanceTimeout: Int64 = 3_000

    let scenario: GroupScenario
    var coordinator: GroupCoordinator
    var members: [Member] = []
    var trace = GroupTrace()
    var now: Int64 = 0

    /// Answers as librdkafka's mock cluster does where it departs from Apache Kafka (docs/simulator.md,
    /// "Where librdkafka's mock cluster differs"): commits during PreparingRebalance get REBALANCE_IN_PROGRESS.
    let mockDeviations: Bool
    private var heldAtStepStart: [String: Set<PartitionID>] = [:]

    init(_ scenario: GroupScenario, coordinator: GroupCoordinator? = nil, mockDeviations: Bool = false) {
        self.scenario = scenario
        self.mockDeviations = mockDeviations
        self.coordinator = coordinator ?? GroupCoordinator(
            protocol: scenario.rebalanceProtocol == .eager ? .eager : .cooperative, partitions: scenario.partitions)
    }

    static func run(_ scenario: GroupScenario, coordinator: GroupCoordinator? = nil, mockDeviations: Bool = false) -> GroupTrace {
        var runner = SimGroupRunner(scenario, coordinator: coordinator, mockDeviations: mockDeviations)
        for (index, step) in scenario.steps.enumerated() {
            runner.trace.begin(step)
            runner.heldAtStepStart = Dictionary(uniqueKeysWithValues: runner.members.map { ($0.name, Set($0.owned)) })
            runner.perform(step, index: index)
        }
        return runner.trace
    }

    private mutating func perform(_ step: GroupStep, index: Int) {
        let revokeOffset: Int64? = scenario.commitsOnRevoke ? Int64(10 * (index + 1)) : nil
        switch step {
        case .join(let name):
            join(name)
            settle(revokeOffset: revokeOffset)
        case .commit(let name, let offset):
            commitOwned(name, offset: offset)
        case .leave(let name):
            let member = members.remove(at: position(name))
            _ = coordinator.leave(member: member.id!, now: now, rebalanceTimeout: Self.rebalanceTimeout)
            settle(revokeOffset: revokeOffset)
        case .leaveHighestMemberID:
            let member = members.remove(at: members.indices.max { members[$0].id! < members[$1].id! }!)
            _ = coordinator.leave(member: member.id!, now: now, rebalanceTimeout: Self.rebalanceTimeout)
            settle(revokeOffset: revokeOffset)
        case .staleCommit(let name, let newcomer, let offset):
            join(newcomer)
            settle(revokeOffset: revokeOffset, afterJoinResponses: { runner in runner.commitOwned(name, offset: offset, owned: runner.revokedBy[name] ?? []) })
        case .sessionExpiry(let name, let offset):
            let zombie = members.remove(at: position(name))
            now += Self.sessionTimeout + 1
            for member in members { _ = coordinator.heartbeat(member: member.id!, now: now) }
            _ = coordinator.expire(now: now, sessionTimeout: Self.sessionTimeout, rebalanceTimeout: Self.rebalanceTimeout)
            settle(revokeOffset: revokeOffset)
            commit(zombie, offset: offset)
        case .pollIntervalExceeded(let name, let offset):
            let late = members.remove(at: position(name))
            _ = coordinator.leave(member: late.id!, now: now, rebalanceTimeout: Self.rebalanceTimeout)
            settle(revokeOffset: revokeOffset)
            commit(late, offset: offset)
        case .fetchCommitted:
            trace.update { $0.committed = coordinator.committed }
        }
    }

    /// Partitions each member revoked in the current step (for the stale commit, made after the revocation).
    private var revokedBy: [String: [PartitionID]] = [:]

    private func position(_ name: String) -> Int { members.firstIndex { $0.name == name }! }

    private mutating func join(_ name: String) {
        let pod = Int32(members.count)
        let id = coordinator.join(pod: pod, member: nil, owned: [], now: now, rebalanceTimeout: Self.rebalanceTimeout)
        members.append(Member(name: name, id: id))
    }

    /// Runs rounds until the group is stable with nothing left to revoke; notes the generations advanced and
    /// the assignment. `afterJoinResponses` runs once, when the first round's JoinGroup answers are out.
    private mutating func settle(revokeOffset: Int64?, afterJoinResponses: ((inout SimGroupRunner) -> Void)? = nil) {
        let before = coordinator.generation
        var pendingHook = afterJoinResponses
        revokedBy = [:]
        for _ in 0..<20 {
            rejoinWhereAsked(revokeOffset: revokeOffset)
            guard let round = coordinator.completeIfReady(now: now) else { break }
            if let hook = pendingHook {
                hook(&self)
                pendingHook = nil
            }
            // The leader's SyncGroup (CompletingRebalance -> Stable); then every member gets its assignment.
            _ = coordinator.leaderSynced(generation: round.generation)
            distribute(round, revokeOffset: revokeOffset)
            if coordinator.isStable { break }
        }
        let advanced = coordinator.generation - before
        if before > 0 { trace.update { $0.generations = advanced } }
        if trace.firstGeneration == nil, coordinator.generation > 0 { trace.firstGeneration = coordinator.generation }
        noteAssignment()
    }

    /// Members told by their heartbeat that a round is on rejoin: eager ones revoke (and commit) first.
    private mutating func rejoinWhereAsked(revokeOffset: Int64?) {
        for index in members.indices {
            guard coordinator.heartbeat(member: members[index].id!, now: now) == .rebalanceInProgress else { continue }
            if scenario.rebalanceProtocol == .eager, !members[index].owned.isEmpty {
                revoke(index, members[index].owned, revokeOffset: revokeOffset)
                members[index].owned = []
            }
            _ = coordinator.join(pod: Int32(index), member: members[index].id, owned: members[index].owned,
                                 now: now, rebalanceTimeout: Self.rebalanceTimeout)
        }
    }

    /// SyncGroup answers: each member takes its assignment; a cooperative member that lost partitions revokes
    /// them (committing first) and then rejoins. Every answer is handled before the first rejoin arrives.
    private mutating func distribute(_ round: GroupCoordinator.Round, revokeOffset: Int64?) {
        var rejoining: [(Int32, [PartitionID])] = []
        for (slot, id) in round.members.enumerated() {
            guard let index = members.firstIndex(where: { $0.id == id }) else { continue }
            let assigned = round.assignment[slot]
            members[index].generation = round.generation
            let revoked = members[index].owned.filter { !assigned.contains($0) }
            members[index].owned = assigned
            if scenario.rebalanceProtocol == .cooperative, !revoked.isEmpty {
                revoke(index, revoked, revokeOffset: revokeOffset)
                rejoining.append((id, assigned))
            }
        }
        for (id, owned) in rejoining {
            let pod = Int32(members.firstIndex { $0.id == id }!)
            _ = coordinator.join(pod: pod, member: id, owned: owned, now: now, rebalanceTimeout: Self.rebalanceTimeout)
        }
    }

    private mutating func revoke(_ index: Int, _ partitions: [PartitionID], revokeOffset: Int64?) {
        revokedBy[members[index].name, default: []] += partitions
        guard let revokeOffset else { return }
        commit(members[index], offset: revokeOffset, partitions: partitions)
    }

    private mutating func commitOwned(_ name: String, offset: Int64, owned: [PartitionID]? = nil) {
        let member = members[position(name)]
        commit(member, offset: offset, partitions: owned ?? member.owned)
    }

    private mutating func commit(_ member: Member, offset: Int64, partitions: [PartitionID]? = nil) {
        let partitions = partitions ?? member.owned
        let offsets = partitions.map { PartitionOffset(partition: $0, offset: Offset(offset)) }
        let code: String
        if mockDeviations, coordinator.rebalancing, coordinator.member(member.id!) != nil {
            code = "REBALANCE_IN_PROGRESS"
        } else {
            code = Self.code(coordinator.commit(OffsetCommit(generation: member.generation, offsets: offsets),
                                                member: member.id!, pod: 0, now: now))
        }
        trace.update { $0.commits.append(GroupTrace.Commit(member: member.name, partitions: partitions, offset: offset, code: code)) }
    }

    private mutating func noteAssignment() {
        let holdings = members.map { member in
            GroupTrace.Holding(member: member.name, memberKey: Self.sortKey(member.id!), partitions: member.owned,
                               kept: member.owned.filter { heldAtStepStart[member.name]?.contains($0) == true }.count,
                               heldBefore: heldAtStepStart[member.name]?.count ?? 0)
        }
        trace.update { $0.assignment = holdings }
    }

    /// Member ids as strings that sort as the numbers do.
    private static func sortKey(_ id: Int32) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    static func code(_ result: CommitResult) -> String {
        switch result {
        case .committed: "OK"
        case .failed(.staleGeneration): "ILLEGAL_GENERATION"
        case .failed(.unknownMember): "UNKNOWN_MEMBER_ID"
        case .failed(.rebalanceInProgress): "REBALANCE_IN_PROGRESS"
        case .failed(.unavailable(let reason)): "UNAVAILABLE(\(reason))"
        }
    }
}
