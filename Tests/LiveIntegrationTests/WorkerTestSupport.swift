import Core
import EventWire
import Foundation
import LiveKafka
import LivePostgres
import LiveService
@testable import LiveWorker
import Logging
import ServiceLifecycle
import Testing

/// A mock Kafka cluster with fresh `events`/`dlq` topics and a fresh database, for running real workers
/// in-process (the same `WorkerService` the executable runs), connected as the least-privilege role `worker`.
struct WorkerHarness {
    let kafka: KafkaFixture
    let deadLetterTopic: String
    let database: (name: String, url: String)
    let group = "ledger-\(UUID().uuidString.prefix(8))"
    let check: PostgresConnection
    let producer: KafkaProducer

    static func make(partitions: Int = 6) async throws -> WorkerHarness {
        let kafka = try await KafkaFixture.make(brokers: 3, partitions: partitions)
        let dlq = "\(kafka.topic).dlq"
        try await kafka.cluster.createTopic(dlq, partitions: 3)
        let database = try await TestDatabase.makeDatabase()
        try await TestDatabase.migrateAndGrant(database.url)
        let check = try await TestDatabase.connect(database.url)
        return WorkerHarness(kafka: kafka, deadLetterTopic: dlq, database: database, check: check,
                             producer: try kafka.producer(timeout: .seconds(60)))
    }

    static let sessionSeconds: Int64 = 6

    /// The first `count` messages on the dead-letter topic, read by a consumer of its own group.
    func deadLetters(_ count: Int, seconds: Double = 30) async throws -> [KafkaMessage] {
        let reader = try kafka.consumer(group: "dlq-\(UUID().uuidString)")
        try await reader.subscribe([deadLetterTopic])
        var letters: [KafkaMessage] = []
        try await pollUntil(reader, seconds: seconds) { event, _ in
            switch event {
            case .rebalance(let r): try await reader.acknowledge(r)
            case .message(let m): letters.append(m)
            default: break
            }
            return letters.count >= count
        }
        try await reader.close()
        return letters
    }

    func settings(_ mode: ProcessingMode, id: String, batch: Int = 100, maxAttempts: Int = 5) -> WorkerSettings {
        var settings = WorkerSettings(
            mode: mode, workerID: id, bootstrapServers: kafka.cluster.bootstrapServers, topic: kafka.topic,
            deadLetterTopic: deadLetterTopic, groupID: group, databaseURL: TestDatabase.url(database.url, role: "worker"), batchMaxEvents: batch,
            maxAttempts: maxAttempts, settlementPeriodSeconds: 5, shutdownGrace: .seconds(10))
        settings.lagRefreshInterval = .seconds(1)
        // The mock coordinator waits session.timeout.ms - 1 s in every rebalance round (rdkafka_mock_cgrp.c), so a
        // shorter session keeps the tests short; 6 s is also a real broker's group.min.session.timeout.ms.
        settings.sessionTimeout = .seconds(Self.sessionSeconds)
        if let debug = ProcessInfo.processInfo.environment["WORKER_TEST_RDKAFKA_DEBUG"] {
            settings.consumerProperties["debug"] = debug
        }
        return settings
    }

    func start(_ settings: WorkerSettings) -> RunningWorker {
        RunningWorker(settings: settings)
    }

    func drop() async {
        try? await producer.close(timeout: .seconds(2))
        await TestDatabase.drop(database.name)
    }

    /// Produces `count` events keyed by account, returns them in produce order.
    @discardableResult
    func produce(_ count: Int, accounts: Int = 20, seed: UInt64 = 1) async throws -> [Event] {
        var generator = SplitMix64(seed: seed)
        var events: [Event] = []
        for _ in 0..<count {
            let event = Event(id: EventID(high: generator.next(), low: generator.next()),
                              account: AccountID("acct-\(generator.next() % UInt64(accounts))"),
                              amountCents: Int64(generator.next() % 20_001) - 10_000,
                              occurredAt: Timestamp(milliseconds: 1_764_244_800_000))
            events.append(event)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in stride(from: 0, to: events.count, by: 200) {
                let slice = events[chunk..<min(chunk + 200, events.count)]
                group.addTask {
                    for event in slice { try await send(event) }
                }
            }
            try await group.waitForAll()
        }
        return events
    }

    func send(_ event: Event, partition: Int32? = nil) async throws {
        _ = try await producer.send(KafkaOutgoingMessage(
            topic: kafka.topic, key: Array(event.account.rawValue.utf8), value: EventValue.encode(event),
            partition: partition))
    }

    /// Four good events (ids `goodIDHigh`/0-3, accounts acct-0 and acct-1) around `odd`, laid out so that `odd` sits
    /// between two good events in one batch: partition 0 holds good 0, `odd` (offset 1) and good 1, partition 1
    /// holds good 2 and good 3. Returns the good events.
    func sendAround(_ odd: Event, goodIDHigh: UInt64) async throws -> [Event] {
        let good = (0..<4).map {
            Event(id: EventID(high: goodIDHigh, low: UInt64($0)), account: AccountID("acct-\($0 % 2)"),
                  amountCents: 100 + Int64($0), occurredAt: odd.occurredAt)
        }
        try await send(good[0], partition: 0)
        try await send(odd, partition: 0)
        try await send(good[1], partition: 0)
        try await send(good[2], partition: 1)
        try await send(good[3], partition: 1)
        return good
    }

    func sendRaw(_ bytes: [UInt8], key: String, partition: Int32) async throws {
        _ = try await producer.send(KafkaOutgoingMessage(topic: kafka.topic, key: Array(key.utf8), value: bytes, partition: partition))
    }

    func int(_ sql: String) async throws -> Int64 {
        guard let value = try await check.query(sql).rows.first?.first ?? nil else { return -1 }
        return Int64(value) ?? -1
    }

    /// Polls `condition` every 200 ms for up to `seconds`.
    func eventually(_ seconds: Double = 60, _ what: String, _ condition: () async throws -> Bool) async throws {
        try await LiveIntegrationTests.eventually(seconds, what, every: .milliseconds(200), condition)
    }

    /// Waits until the group has consumed every partition to its end: the offset committed to Kafka, and with
    /// `databaseOffsets` the one stored in the database, equal each partition's high watermark. Every message
    /// has then been applied and acknowledged, so an exactly-once check that follows is not early. `database`
    /// replaces `check` when that session was cut (a database outage).
    func quiescent(_ seconds: Double = 60, databaseOffsets: Bool = true, database: PostgresConnection? = nil) async throws {
        let reader = try kafka.consumer(group: group)  // never subscribes: it only reads the group's commits
        try await eventually(seconds, "committed offsets at the high watermarks") {
            for partition in 0..<Int32(kafka.partitions) {
                let high = try await reader.watermarks(topic: kafka.topic, partition: partition).high
                let tp = KafkaTopicPartition(topic: kafka.topic, partition: partition)
                let committed = max(0, try await reader.committed([tp]).first?.offset ?? 0)
                guard committed == high else { return false }
                if databaseOffsets {
                    let rows = try await (database ?? check).query(
                        "SELECT next_offset FROM consumer_offsets WHERE kafka_partition = $1", [.int32(partition)])
                    guard max(0, rows.int64(0, "next_offset") ?? 0) == high else { return false }
                }
            }
            return true
        }
        try await reader.close()
    }

    /// Every produced event applied exactly once, and every balance the sum of its account's events.
    func expectExactlyOnce(_ events: [Event]) async throws {
        #expect(try await int("SELECT count(*) FROM ledger") == Int64(events.count), "one ledger row per event")
        #expect(try await int("SELECT count(DISTINCT event_id) FROM ledger") == Int64(events.count))
        var expected: [String: Int64] = [:]
        for event in events { expected[event.account.rawValue, default: 0] += event.amountCents }
        let rows = try await check.query("SELECT account_id, balance_cents FROM accounts")
        var actual: [String: Int64] = [:]
        for row in 0..<rows.count { actual[rows.value(row, "account_id")!] = rows.int64(row, "balance_cents") }
        #expect(actual == expected, "balances are the sums of the produced amounts")
    }
}

/// One worker running in-process under a ServiceGroup without signal handlers; `stop()` is its SIGTERM.
final class RunningWorker: Sendable {
    let settings: WorkerSettings
    let registry = MetricsRegistry()
    let metrics: WorkerMetrics
    let health = WorkerHealth()
    private let group: ServiceGroup
    private let task: Task<Void, Error>
    private let abandonBox = AbandonBox()

    init(settings: WorkerSettings) {
        self.settings = settings
        metrics = WorkerMetrics(registry: registry, mode: settings.mode, settlementPeriodSeconds: settings.settlementPeriodSeconds)
        var logger = Logger(label: "worker-\(settings.workerID)")
        logger.logLevel = ProcessInfo.processInfo.environment["WORKER_TEST_LOG"] == "1" ? .debug : .warning
        let box = abandonBox
        let service = WorkerService(settings: settings, metrics: metrics, health: health, logger: logger) { box.set() }
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        self.group = group
        task = Task { try await group.run() }
    }

    /// True once the worker stopped without leaving the group (`before` on SIGTERM).
    var abandoned: Bool { abandonBox.isSet }

    /// SIGTERM: graceful shutdown; returns when the worker has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// The value of one series in the worker's /metrics output (nil when absent).
    func value(_ series: String) -> Double? {
        let text = String(decoding: registry.render(), as: UTF8.self)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            if line[..<space] == series { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    func metric(_ name: String, _ labels: String = "") -> Double {
        let mode = "mode=\"\(settings.mode.rawValue)\""
        return value("replicasafe_worker_\(name){\(labels.isEmpty ? mode : mode + "," + labels)}") ?? -1
    }

    var renderedMetrics: String { String(decoding: registry.render(), as: UTF8.self) }
}

final class AbandonBox: @unchecked Sendable {
    // Safe: `flag` is only touched while `lock` is held.
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var isSet: Bool { lock.withLock { flag } }
}
