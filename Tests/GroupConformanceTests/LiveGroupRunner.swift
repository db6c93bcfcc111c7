import Foundation
import LiveKafka

/// Runs a scenario against librdkafka's mock cluster through `LiveKafka`: real consumers, polled by this
/// runner, which acknowledges every rebalance (committing revoked partitions first when the scenario says so).
/// Every wait is for an observable condition (generations, assignments), with a bound.
final class LiveGroupRunner {
    enum Failure: Error, CustomStringConvertible {
        case notSettled(step: String, state: String)
        var description: String {
            switch self { case .notSettled(let step, let state): "group not stable within the bound after \(step): \(state)" }
        }
    }

    static let settleBound: Double = 30

    let scenario: GroupScenario
    let cluster: KafkaMockCluster
    let topic: String
    let group = "conformance-\(UUID().uuidString.prefix(8))"
    var members: [LiveGroupMember] = []
    var trace = GroupTrace()
    /// The member that commits right after acknowledging its revocation (the stale-generation step).
    private var staleCommitter: (name: String, offset: Int64)?
    private var revokeOffset: Int64?
    private var heldAtStepStart: [String: Set<Int32>] = [:]

    private init(_ scenario: GroupScenario, cluster: KafkaMockCluster, topic: String) {
        self.scenario = scenario
        self.cluster = cluster
        self.topic = topic
    }

    static func run(_ scenario: GroupScenario) async throws -> GroupTrace {
        let cluster = try KafkaMockCluster.start(brokers: 1)
        let topic = "t-\(UUID().uuidString.prefix(8))"
        try await cluster.createTopic(topic, partitions: scenario.partitions)
        let runner = LiveGroupRunner(scenario, cluster: cluster, topic: topic)
        defer { runner.members.removeAll() }
        for (index, step) in scenario.steps.enumerated() {
            runner.trace.begin(step)
            runner.heldAtStepStart = Dictionary(uniqueKeysWithValues: runner.members.map { ($0.name, $0.owned) })
            runner.revokeOffset = scenario.commitsOnRevoke ? Int64(10 * (index + 1)) : nil
            try await runner.perform(step)
        }
        for member in runner.members where member.polling { try? await member.consumer.close() }
        return runner.trace
    }

    private func perform(_ step: GroupStep) async throws {
        switch step {
        case .join(let name):
            try await join(name, after: step)
        case .commit(let name, let offset):
            let member = self.member(name)
            await commit(member, Array(member.owned), offset)
        case .leave, .leaveHighestMemberID:
            let member = try await leaving(step)
            let before = await groupGeneration()
            member.polling = false
            member.inGroup = false
            try await member.consumer.close()
            try await settle(after: step, before: before)
        case .staleCommit(let name, let newcomer, let offset):
            staleCommitter = (name, offset)
            try await join(newcomer, after: step)
            staleCommitter = nil
        case .sessionExpiry(let name, let offset):
            let zombie = self.member(name)
            let before = await groupGeneration()
            zombie.polling = false
            zombie.inGroup = false
            try await settle(after: step, before: before)
            await commit(zombie, Array(zombie.owned), offset)
        case .pollIntervalExceeded(let name, let offset):
            let late = self.member(name)
            let before = await groupGeneration()
            let had = Array(late.owned)
            late.polling = false
            late.inGroup = false
            try await settle(after: step, before: before)
            // The application polls again (librdkafka reports the exceeded interval and the lost partitions).
            for case .rebalance(let r) in await late.consumer.poll(timeout: .milliseconds(100)) {
                try await late.consumer.acknowledge(r)
            }
            await commit(late, had, offset)
        case .fetchCommitted(let name):
            let partitions = (0..<scenario.partitions).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }
            let reader = members.first { $0.name == name && $0.inGroup } ?? members.first(where: \.inGroup)!
            let offsets = try await reader.consumer.committed(partitions)
            trace.update { $0.committed = offsets.map { $0.offset >= 0 ? $0.offset : nil } }
        }
    }

    private func member(_ name: String) -> LiveGroupMember { members.first { $0.name == name }! }

    private func leaving(_ step: GroupStep) async throws -> LiveGroupMember {
        if case .leave(let name) = step { return member(name) }
        var highest: (id: String, member: LiveGroupMember)?
        for member in members where member.inGroup {
            let id = await member.consumer.memberID() ?? ""
            if highest == nil || id > highest!.id { highest = (id, member) }
        }
        return highest!.member
    }

    private func join(_ name: String, after step: GroupStep) async throws {
        let before = await groupGeneration()
        let config = LiveGroupSettings.config(bootstrap: cluster.bootstrapServers, group: group, scenario: scenario, member: name)
        let member = LiveGroupMember(name: name, consumer: try KafkaConsumer.make(config))
        members.append(member)
        try await member.consumer.subscribe([topic])
        try await settle(after: step, before: before)
    }

    /// The newest generation any member of the group holds (nil before the first round).
    private func groupGeneration() async -> Int32? {
        var newest: Int32?
        for member in members where member.inGroup {
            if let generation = await member.consumer.groupGeneration(), generation >= 0 { newest = max(newest ?? generation, generation) }
        }
        return newest
    }

    /// Polls every running member, acknowledging rebalances, until the members in the group share a generation
    /// newer than `before` and their assignments partition the topic evenly; notes what the step advanced.
    private func settle(after step: GroupStep, before: Int32?) async throws {
        let deadline = Date().addingTimeInterval(Self.settleBound)
        while true {
            try await pumpOnce()
            if let generation = try await stableGeneration(), generation > (before ?? -1) {
                if let before { trace.update { $0.generations = generation - before } }
                if trace.firstGeneration == nil { trace.firstGeneration = generation }
                try await noteAssignment()
                return
            }
            guard Date() < deadline else { throw Failure.notSettled(step: step.description, state: await describeState()) }
        }
    }

    private func pumpOnce() async throws {
        for member in members where member.polling {
            for case .rebalance(let r) in await member.consumer.poll(maxMessages: 10, timeout: .milliseconds(20)) {
                try await handle(r, member)
            }
        }
    }

    private func handle(_ rebalance: KafkaRebalance, _ member: LiveGroupMember) async throws {
        let partitions = rebalance.partitions.filter { $0.topic == topic }.map(\.partition)
        switch rebalance.kind {
        case .assigned:
            try await member.consumer.acknowledge(rebalance)
            member.owned.formUnion(partitions)
        case .revoked where staleCommitter?.name == member.name && !partitions.isEmpty:
            // Once: a round the mock repeats would revoke again what the member got in between.
            let offset = staleCommitter!.offset
            staleCommitter = nil
            try await member.consumer.acknowledge(rebalance)
            member.owned.subtract(partitions)
            await commit(member, partitions, offset)
        case .revoked, .lost:
            if rebalance.kind == .revoked, let revokeOffset, !partitions.isEmpty {
                await commit(member, partitions, revokeOffset)
            }
            try await member.consumer.acknowledge(rebalance)
            member.owned.subtract(partitions)
        }
    }

    private func commit(_ member: LiveGroupMember, _ partitions: [Int32], _ offset: Int64) async {
        let offsets = partitions.map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: offset) }
        let result = await member.consumer.commit(offsets)
        trace.update { $0.commits.append(GroupTrace.Commit(member: member.name, partitions: partitions.sorted(), offset: offset, code: result.code)) }
    }

    /// The generation the group members share once their applied assignments cover every partition exactly
    /// once and evenly; nil until then.
    private func stableGeneration() async throws -> Int32? {
        let group = members.filter(\.inGroup)
        guard !group.isEmpty else { return nil }
        var generations = Set<Int32>()
        for member in group { generations.insert(await member.consumer.groupGeneration() ?? -1) }
        let counts = group.map(\.owned.count)
        let union = group.reduce(into: Set<Int32>()) { $0.formUnion($1.owned) }
        guard generations.count == 1, let generation = generations.first, generation >= 0,
              counts.reduce(0, +) == scenario.partitions, union.count == scenario.partitions,
              counts.max()! - counts.min()! <= 1 else { return nil }
        return generation
    }

    private func noteAssignment() async throws {
        var holdings: [GroupTrace.Holding] = []
        for member in members where member.inGroup {
            holdings.append(GroupTrace.Holding(
                member: member.name, memberKey: await member.consumer.memberID() ?? "", partitions: member.owned.sorted(),
                kept: member.owned.intersection(heldAtStepStart[member.name] ?? []).count,
                heldBefore: heldAtStepStart[member.name]?.count ?? 0))
        }
        trace.update { $0.assignment = holdings }
    }

    private func describeState() async -> String {
        var parts: [String] = []
        for member in members {
            let generation = await member.consumer.groupGeneration() ?? -1
            parts.append("\(member.name)(gen \(generation), inGroup \(member.inGroup)) owns \(Observe.list(Array(member.owned)))")
        }
        return parts.joined(separator: "; ")
    }
}
