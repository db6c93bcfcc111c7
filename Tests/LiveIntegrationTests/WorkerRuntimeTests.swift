import Core
import EventWire
import Foundation
import LiveKafka
import LivePostgres
import LiveService
@testable import LiveWorker
import Testing

/// Real workers (the executable's `WorkerService`) in-process against a mock Kafka cluster and PostgreSQL:
/// revocation, shutdown, outages and poison events.
@Suite("Worker against Kafka and PostgreSQL", .serialized)
struct WorkerRuntimeTests {
    @Test("every metric of docs/interfaces.md is exported, counters at 0 for every known label value")
    func metricsContract() async throws {
        let h = try await WorkerHarness.make()
        let worker = h.start(h.settings(.after, id: "m1"))
        try await h.eventually(30, "partitions assigned and a lag refresh") {
            worker.metric("assigned_partitions") == 6 && worker.renderedMetrics.contains("replicasafe_worker_consumer_lag{")
        }
        let text = worker.renderedMetrics
        let contract = try String(contentsOf: repositoryFile("docs/interfaces.md"), encoding: .utf8)
        let names = Set(contract.matches(of: /`(replicasafe_worker_[a-z_]+)/).map { String($0.1) })
        #expect(names.count == 20, "the contract lists the worker's metrics: \(names.sorted())")
        for name in names.sorted() {
            #expect(text.contains("\n\(name){") || text.contains("\n\(name)_bucket{") || text.hasPrefix("\(name){"),
                    "\(name) is exported")
        }
        for value in WorkerMetrics.failureClasses { #expect(worker.metric("events_failed_total", "class=\"\(value)\"") == 0) }
        for value in WorkerMetrics.deadLetterReasons { #expect(worker.metric("events_dead_lettered_total", "reason=\"\(value)\"") == 0) }
        for value in ["committed", "failed"] { #expect(worker.metric("batches_total", "outcome=\"\(value)\"") == 0) }
        #expect(worker.metric("batches_isolated_total") == 0)
        for value in ["ok", "failed"] { #expect(worker.metric("offset_commits_total", "result=\"\(value)\"") >= 0) }
        for value in ["revoked", "lost"] { #expect(worker.metric("rebalances_total", "kind=\"\(value)\"") == 0) }
        for value in ["fenced", "failed"] { #expect(worker.metric("settlement_runs_total", "outcome=\"\(value)\"") >= 0) }
        #expect(worker.metric("settlement_period_seconds") == 5)
        #expect(worker.metric("ready") == 1)
        #expect(worker.metric("database_up") == 1)
        #expect(text.contains("replicasafe_worker_processing_delay_seconds_bucket{mode=\"after\",le=\"30.0\"}"),
                "the freshness SLO threshold is a bucket boundary")
        try await worker.stop()
        await h.drop()
    }

    @Test("after: a second worker joins, the first drains and leaves; every event applied once, offsets committed")
    func cooperativeHandOver() async throws {
        let h = try await WorkerHarness.make()
        var events = try await h.produce(1_500, seed: 1)
        let first = h.start(h.settings(.after, id: "w1", batch: 50))
        try await h.eventually(60, "w1 applies some events") { try await h.int("SELECT count(*) FROM ledger") >= 300 }
        let second = h.start(h.settings(.after, id: "w2", batch: 50))
        async let more = h.produce(1_500, seed: 2)
        try await h.eventually(60, "the group splits the partitions") {
            first.metric("assigned_partitions") > 0 && second.metric("assigned_partitions") > 0
                && first.metric("assigned_partitions") + second.metric("assigned_partitions") == 6
        }
        // w1 gives partitions up: revoked in an orderly round, or lost when one of its commits met the new
        // generation first (the mock answers ILLEGAL_GENERATION, which librdkafka treats as a lost assignment).
        #expect(first.metric("rebalances_total", "kind=\"revoked\"") + first.metric("rebalances_total", "kind=\"lost\"") >= 1)
        events += try await more
        let stopped = Date()
        try await first.stop()
        #expect(!first.abandoned, "after mode leaves the group")
        #expect(Date().timeIntervalSince(stopped) < 10, "drained within the grace period")
        try await h.eventually(40, "w2 owns every partition") { second.metric("assigned_partitions") == 6 }
        try await h.eventually(60, "all events applied") { try await h.int("SELECT count(*) FROM ledger") >= Int64(events.count) }
        try await h.quiescent()
        try await h.expectExactlyOnce(events)
        #expect(first.metric("events_applied_total") + second.metric("events_applied_total") == Double(events.count))
        // Kafka's committed offsets reach the end of every partition (lag-based autoscaling sees zero).
        try await h.eventually(20, "committed offsets at the high watermarks") { second.metric("consumer_lag", "partition=\"0\"") == 0 }
        let offsets = try await h.check.query("SELECT sum(next_offset) FROM consumer_offsets").rows[0][0].flatMap { Int64($0) }
        #expect(offsets == Int64(events.count), "the database holds the next offset of every partition")
        try await second.stop()
        await h.drop()
    }

    @Test("SIGTERM: before stops at once without leaving the group, after drains, commits and leaves")
    func shutdownByMode() async throws {
        // before: the group keeps the silent member until its session times out, so a newcomer waits for that.
        let h = try await WorkerHarness.make()
        try await h.produce(300, seed: 3)
        let naive = h.start(h.settings(.before, id: "b1", batch: 50))
        try await h.eventually(60, "before worker applies events") { try await h.int("SELECT count(*) FROM ledger") >= 300 }
        let commitsBefore = naive.metric("offset_commits_total", "result=\"ok\"")
        let stopped = Date()
        try await naive.stop()
        #expect(naive.abandoned, "before mode exits without closing the consumer")
        #expect(Date().timeIntervalSince(stopped) < 2, "at once")
        #expect(naive.metric("offset_commits_total", "result=\"ok\"") == commitsBefore, "no final commit")
        let newcomer = h.start(h.settings(.before, id: "b2", batch: 50))
        try await h.eventually(60, "the newcomer gets the partitions") { newcomer.metric("assigned_partitions") == 6 }
        let naiveHandOver = Date().timeIntervalSince(stopped)
        #expect(naiveHandOver >= Double(WorkerHarness.sessionSeconds) - 1, "only once the session timed out: \(naiveHandOver) s")
        try await newcomer.stop()
        await h.drop()

        // after: LeaveGroup, so the group is empty at once and a newcomer is assigned after the initial delay.
        let h2 = try await WorkerHarness.make()
        try await h2.produce(300, seed: 4)
        let safe = h2.start(h2.settings(.after, id: "a1", batch: 50))
        try await h2.eventually(60, "after worker applies events") { try await h2.int("SELECT count(*) FROM ledger") >= 300 }
        try await safe.stop()
        let left = Date()  // stop() returns once the consumer is closed: the member has left the group
        #expect(!safe.abandoned, "after mode closes the consumer")
        #expect(safe.metric("offset_commits_total", "result=\"ok\"") >= 1)
        let successor = h2.start(h2.settings(.after, id: "a2", batch: 50))
        try await h2.eventually(60, "the successor gets every partition") { successor.metric("assigned_partitions") == 6 }
        let safeHandOver = Date().timeIntervalSince(left)
        #expect(safeHandOver < Double(WorkerHarness.sessionSeconds), "before a session timeout could have passed: \(safeHandOver) s")
        // One sentinel per partition, after the 300: partitions are read in order, so once every sentinel is
        // applied the successor has read whatever it was going to replay before it.
        for partition in 0..<Int32(h2.kafka.partitions) {
            try await h2.send(Event(id: EventID(high: 99, low: UInt64(partition)), account: AccountID("sentinel"), amountCents: 1,
                                    occurredAt: Timestamp(milliseconds: 1_764_244_800_000)), partition: partition)
        }
        try await h2.eventually(60, "every sentinel applied") { try await h2.int("SELECT count(*) FROM ledger WHERE account_id = 'sentinel'") == 6 }
        #expect(try await h2.int("SELECT count(*) FROM ledger") == 306, "nothing re-applied")
        #expect(successor.metric("duplicates_skipped_total") == 0, "it started at the committed offsets, nothing replayed")
        try await successor.stop()
        await h2.drop()
    }

    @Test("a database outage pauses consumption and resumes without losing or doubling an event")
    func databaseOutage() async throws {
        let h = try await WorkerHarness.make()
        var events = try await h.produce(300, seed: 5)
        let worker = h.start(h.settings(.after, id: "d1", batch: 20))
        try await h.eventually(60, "first events applied") { try await h.int("SELECT count(*) FROM ledger") == 300 }
        // The outage: this database refuses connections and its sessions are cut (other tests' databases on the
        // same server carry on).
        let admin = try await TestDatabase.connect()
        try await admin.query("ALTER DATABASE \(h.database.name) WITH ALLOW_CONNECTIONS false")
        try await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [.text(h.database.name)])
        events += try await h.produce(600, seed: 6)
        try await h.eventually(30, "database down and consumption paused") {
            worker.metric("database_up") == 0 && worker.metric("consumption_paused") == 1
        }
        #expect(worker.metric("events_failed_total", "class=\"transient\"") > 0)
        #expect(worker.health.readiness.ready == false)
        try await Task.sleep(for: .seconds(3))  // the outage itself: the worker keeps retrying against a refusing database
        try await admin.query("ALTER DATABASE \(h.database.name) WITH ALLOW_CONNECTIONS true")
        let check = try await TestDatabase.connect(h.database.url)
        try await h.eventually(90, "all events applied after the outage") {
            (try await check.query("SELECT count(*) FROM ledger").int64(0, "count") ?? 0) >= Int64(events.count)
        }
        let fresh = WorkerHarness(kafka: h.kafka, deadLetterTopic: h.deadLetterTopic, database: h.database, check: check, producer: h.producer)
        try await h.quiescent(database: check)
        try await fresh.expectExactlyOnce(events)
        try await h.eventually(10, "consumption resumed, database up") {
            worker.metric("consumption_paused") == 0 && worker.metric("database_up") == 1
        }
        // Nothing commits during an outage, so no failure counts: batches taken apart, nothing dead-lettered.
        #expect((try await check.query("SELECT count(*) FROM event_attempts").int64(0, "count") ?? -1) == 0)
        #expect(WorkerMetrics.deadLetterReasons.allSatisfy { worker.metric("events_dead_lettered_total", "reason=\"\($0)\"") == 0 })
        try await worker.stop()
        await h.drop()
    }

    @Test("a broker outage (every broker down) stalls and resumes without losing or doubling an event")
    func brokerOutage() async throws {
        let h = try await WorkerHarness.make()
        var events = try await h.produce(300, seed: 7)
        let worker = h.start(h.settings(.after, id: "k1", batch: 50))
        try await h.eventually(60, "first events applied") { try await h.int("SELECT count(*) FROM ledger") == 300 }
        try await h.kafka.cluster.setBrokerDown(-1)
        // Produced while the brokers are down: librdkafka holds them and delivers once the brokers are back.
        let during = Task { try await h.produce(300, seed: 8) }
        try await Task.sleep(for: .seconds(6))  // the outage itself, long enough to cover several fetch and retry rounds
        #expect(try await h.int("SELECT count(*) FROM ledger") == 300, "nothing new while the brokers are down")
        try await h.kafka.cluster.setBrokerUp(-1)
        events += try await during.value
        try await h.eventually(90, "all events applied after the outage") { try await h.int("SELECT count(*) FROM ledger") >= Int64(events.count) }
        try await h.quiescent()
        try await h.expectExactlyOnce(events)
        try await worker.stop()
        await h.drop()
    }

    /// An account id past the accounts index's btree limit (2,704 bytes), in hex that does not compress.
    static let oversizedAccount: AccountID = {
        var random = SplitMix64(seed: 54_000)
        let digits = Array("0123456789abcdef".utf8)
        let text = (0..<6_000).map { _ in digits[Int(random.next() & 0xF)] }
        return AccountID("acct-" + String(decoding: text, as: UTF8.self))
    }()

    @Test("poison events go to the dead-letter topic with their reason; the events around them are applied")
    func poisonToDeadLetters() async throws {
        let h = try await WorkerHarness.make(partitions: 2)
        let good = (0..<3).map {
            Event(id: EventID(high: 1, low: UInt64($0)), account: AccountID("acct-\($0)"), amountCents: 100,
                  occurredAt: Timestamp(milliseconds: 1_764_244_800_000))
        }
        let poison = Event(id: EventID(high: 2, low: 1), account: Self.oversizedAccount, amountCents: 100,
                           occurredAt: Timestamp(milliseconds: 1_764_244_800_000))
        let garbage = Array("this is not JSON".utf8)
        try await h.send(good[0], partition: 0)
        try await h.send(poison, partition: 0)  // decodes, but the accounts index refuses its id (54000): retried
        try await h.send(good[1], partition: 0)
        try await h.sendRaw(garbage, key: "acct-x", partition: 1)
        try await h.send(good[2], partition: 1)
        let worker = h.start(h.settings(.after, id: "p1", batch: 50, maxAttempts: 2))
        try await h.eventually(60, "good events applied, both poison events dead-lettered") {
            let applied = try await h.int("SELECT count(*) FROM ledger")
            return applied == 3
                && worker.metric("events_dead_lettered_total", "reason=\"max_attempts\"") == 1
                && worker.metric("events_dead_lettered_total", "reason=\"undecodable\"") == 1
        }
        #expect(try await h.int("SELECT attempts FROM event_attempts") == 2, "attempts counted durably up to MAX_ATTEMPTS")
        #expect(try await h.int("SELECT count(*) FROM processed_events WHERE outcome = 'dead_lettered'") == 1)
        try await h.eventually(10, "offsets stored past the poison events") {
            let first = try await h.int("SELECT next_offset FROM consumer_offsets WHERE kafka_partition = 0")
            let second = try await h.int("SELECT next_offset FROM consumer_offsets WHERE kafka_partition = 1")
            return first == 3 && second == 2
        }
        #expect(worker.metric("events_failed_total", "class=\"permanent\"") >= 2)

        // The dead letters themselves, with their headers and the original bytes.
        let letters = try await h.deadLetters(2)
        let constraint = try #require(letters.first { $0.header("dlq-source-partition") == "0" })
        #expect(constraint.header("dlq-source-offset") == "1")
        #expect(constraint.header("dlq-attempts") == "2")
        #expect(constraint.header("dlq-reason")?.hasPrefix("failed 2 times: 54000 index row size") == true, "\(constraint.header("dlq-reason") ?? "")")
        #expect(constraint.key == Array(poison.id.description.utf8))
        #expect(constraint.value == EventValue.encode(poison), "the original bytes")
        let undecodable = try #require(letters.first { $0.header("dlq-source-partition") == "1" })
        #expect(undecodable.value == garbage)
        #expect(undecodable.key == nil)
        #expect(undecodable.header("dlq-reason")?.hasPrefix("undecodable payload: not a JSON object") == true)
        try await worker.stop()
        await h.drop()
    }
}
