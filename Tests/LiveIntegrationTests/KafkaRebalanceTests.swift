import Foundation
import LiveKafka
import TestPolling
import Testing

@Suite("Kafka rebalances with explicit acknowledgement", .serialized)
struct KafkaRebalanceTests {
    /// Member 1 owns everything; member 2 joins. Member 1 is told what it loses, commits for those partitions,
    /// and only after its acknowledgement does member 2 get them, starting at member 1's commits.
    @Test("revoked partitions move only after the acknowledgement, with the commit made before it",
          arguments: [KafkaConsumerConfig.Assignment.cooperativeSticky, .range])
    func handOver(assignment: KafkaConsumerConfig.Assignment) async throws {
        let fixture = try await KafkaFixture.make(partitions: 6)
        let group = "g-\(UUID().uuidString)"
        let producer = try fixture.producer()
        for partition in 0..<6 {
            for n in 0..<5 {
                _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [UInt8(n)], partition: Int32(partition)))
            }
        }
        let first = try fixture.consumer(group: group, assignment: assignment)
        try await first.subscribe([fixture.topic])
        let initial = try #require(try await nextRebalance(first, .assigned))
        #expect(Set(initial.partitions) == fixture.allPartitions())
        #expect(initial.rebalanceProtocol == (assignment == .range ? .eager : .cooperative))
        try await first.acknowledge(initial)
        let eager = assignment == .range
        if eager {
            // librdkafka 2.0.2's mock answers commits during a JoinGroup round with REBALANCE_IN_PROGRESS
            // (real brokers accept them from the current generation), so the eager case commits up front.
            let early = await first.commit(fixture.allPartitions().map { KafkaTopicPartitionOffset($0, offset: 3) })
            #expect(early.succeeded, "\(early)")
        }

        let second = try fixture.consumer(group: group, assignment: assignment)
        try await second.subscribe([fixture.topic])
        let secondRebalances = RebalanceLog()
        let pollSecond = Task { try await secondRebalances.acknowledgeAll(second) }
        let revoked = try #require(try await nextRebalance(first, .revoked, seconds: 30))
        if eager { #expect(Set(revoked.partitions) == fixture.allPartitions(), "eager revokes all") }
        #expect(try await first.assignment().count == 6, "nothing changes before the acknowledgement")
        // Cooperative: the revoke comes when the round's SyncGroup completes. Member 2 then gets its (empty)
        // assignment of that round, unless its SyncGroup reached the mock after the leader's had completed the
        // round: the mock answers it INVALID_REQUEST and member 2 rejoins, which puts the group back into a
        // JoinGroup round (docs/live.md). Which one happened decides what the commit below must get. The round
        // the rejoin starts waits session.timeout.ms - 1 s (5 s) for member 1, so within 2 s it is still joining.
        var synced = false
        if !eager { synced = try await holds(within: 2) { await secondRebalances.gotEmptyAssignment } }
        let commits = revoked.partitions.map { KafkaTopicPartitionOffset($0, offset: 3) }
        let result = await first.commit(commits)
        if eager {
            #expect(result.error?.name == "REBALANCE_IN_PROGRESS", "mock divergence documented in docs/live.md: \(result)")
        } else if synced {
            #expect(result.succeeded, "the group is up: the revoking member's commit is accepted: \(result)")
        } else {
            #expect(result.error?.name == "REBALANCE_IN_PROGRESS", "member 2 is rejoining, the round still joining: \(result)")
        }
        // Eager committed 3 up front; cooperative hands over at its revoke-time commit when it was accepted.
        let handedOverAt: Int64 = eager || synced ? 3 : 0
        #expect(try await first.assignment().count == 6, "still nothing changes while work is in flight")
        try await first.acknowledge(revoked)
        // Keep member 1 polling so it can take part in the next round.
        let pollFirst = Task {
            var events: [KafkaRebalance] = []
            for _ in 0..<150 {
                for case .rebalance(let r) in await first.poll(timeout: .milliseconds(100)) {
                    events.append(r)
                    try await first.acknowledge(r)
                }
            }
            return events
        }
        try await eventually(40, "member 2 gains partitions") { await secondRebalances.gained != nil }
        pollSecond.cancel()
        _ = await pollSecond.result
        let gained = try #require(await secondRebalances.gained)
        let gainedSet = Set(gained.partitions)
        #expect(!gainedSet.isEmpty)
        if assignment == .cooperativeSticky {
            #expect(gainedSet.isSubset(of: Set(revoked.partitions)), "cooperative: member 2 gets exactly what member 1 gave up")
        }
        // Member 2 resumes at member 1's commit: its first message on each partition it gained has offset 3.
        var firstOffsets: [KafkaTopicPartition: Int64] = [:]
        try await pollUntil(second) { event, _ in
            if let m = event.message, firstOffsets[m.topicPartition] == nil { firstOffsets[m.topicPartition] = m.offset }
            return Set(firstOffsets.keys) == gainedSet
        }
        for tp in gainedSet where Set(revoked.partitions).contains(tp) {
            #expect(firstOffsets[tp] == handedOverAt, "\(tp) resumed at the last accepted commit")
        }
        pollFirst.cancel()
        _ = await pollFirst.result
        try await second.close()
        try await first.close()
    }

    @Test("a refused commit reports the broker's error; async commits report through poll")
    func commitResults() async throws {
        let fixture = try await KafkaFixture.make(partitions: 2)
        let consumer = try fixture.consumer(group: "c-\(UUID().uuidString)")
        try await consumer.subscribe([fixture.topic])
        let assigned = try #require(try await nextRebalance(consumer, .assigned))
        try await consumer.acknowledge(assigned)
        let p0 = KafkaTopicPartition(topic: fixture.topic, partition: 0)

        let ok = await consumer.commit([KafkaTopicPartitionOffset(p0, offset: 0)])
        #expect(ok.succeeded)

        let rebalancing = try #require(KafkaError.code(named: "REBALANCE_IN_PROGRESS"))
        try await fixture.cluster.pushRequestErrors(apiKey: .offsetCommit, errors: [rebalancing])
        let failed = await consumer.commit([KafkaTopicPartitionOffset(p0, offset: 0)])
        #expect(!failed.succeeded)
        // librdkafka reports a group-level refusal for the whole request; the partition list is not annotated.
        #expect(failed.error?.name == "REBALANCE_IN_PROGRESS", "\(failed)")
        #expect(failed.partitions.count == 1 && failed.partitions.allSatisfy { $0.error == nil }, "\(failed)")

        try await consumer.commitAsync([KafkaTopicPartitionOffset(p0, offset: 0)])
        var asyncResult: KafkaCommitResult?
        try await pollUntil(consumer) { event, _ in
            if case .offsetsCommitted(let r) = event { asyncResult = r; return true }
            return false
        }
        #expect(asyncResult?.succeeded == true)
        #expect(asyncResult?.partitions.first?.topicPartition == p0)
        let committed = try await consumer.committed([p0])
        #expect(committed.first?.offset == 0)
        try await consumer.close()
    }

    @Test("paused partitions deliver nothing until resumed; seek rewinds")
    func pauseResumeSeek() async throws {
        let fixture = try await KafkaFixture.make(partitions: 2)
        let producer = try fixture.producer()
        let consumer = try fixture.consumer(group: "p-\(UUID().uuidString)")
        try await consumer.subscribe([fixture.topic])
        let assigned = try #require(try await nextRebalance(consumer, .assigned))
        try await consumer.acknowledge(assigned)
        let p0 = KafkaTopicPartition(topic: fixture.topic, partition: 0)
        let p1 = KafkaTopicPartition(topic: fixture.topic, partition: 1)
        let paused = try await consumer.pause([p0])
        #expect(paused.allSatisfy { $0.error == nil })
        for n in 0..<5 {
            _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [UInt8(n)], partition: 0))
            _ = try await producer.send(KafkaOutgoingMessage(topic: fixture.topic, key: nil, value: [UInt8(n)], partition: 1))
        }
        var fromP1 = 0
        try await pollUntil(consumer) { event, _ in
            if let m = event.message {
                #expect(m.partition == 1, "nothing from the paused partition")
                fromP1 += 1
            }
            return fromP1 == 5
        }
        // Give the paused partition time to (wrongly) deliver.
        for _ in 0..<10 {
            for event in await consumer.poll(timeout: .milliseconds(100)) { #expect(event.message?.partition != 0) }
        }
        _ = try await consumer.resume([p0])
        var fromP0: [Int64] = []
        try await pollUntil(consumer) { event, _ in
            if let m = event.message, m.partition == 0 { fromP0.append(m.offset) }
            return fromP0.count == 5
        }
        #expect(fromP0 == [0, 1, 2, 3, 4])
        _ = try await consumer.seek([KafkaTopicPartitionOffset(p1, offset: 2)])
        var again: [Int64] = []
        try await pollUntil(consumer) { event, _ in
            if let m = event.message, m.partition == 1 { again.append(m.offset) }
            return again.count == 3
        }
        #expect(again == [2, 3, 4])
        try await consumer.close()
    }
}

/// The rebalances one consumer was given, acknowledged as they come (a cooperative newcomer first gets an empty
/// assignment, then the partitions the others released).
actor RebalanceLog {
    private(set) var events: [KafkaRebalance] = []

    var gotEmptyAssignment: Bool { events.contains { $0.kind == .assigned && $0.partitions.isEmpty } }
    var gained: KafkaRebalance? { events.first { $0.kind == .assigned && !$0.partitions.isEmpty } }

    /// Polls `consumer` until cancelled, acknowledging every rebalance; stops once partitions were gained.
    func acknowledgeAll(_ consumer: KafkaConsumer) async throws {
        while !Task.isCancelled && gained == nil {
            for case .rebalance(let r) in await consumer.poll(timeout: .milliseconds(50)) {
                try await consumer.acknowledge(r)
                events.append(r)
            }
        }
    }
}

