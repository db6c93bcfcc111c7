public import Core
public import LiveService
import Prometheus

/// The worker's series (docs/interfaces.md, including the operations additions). Every series carries `mode`;
/// every counter exists at 0 from start-up for each known label value, so `rate()` sees the first increment.
public final class WorkerMetrics: Sendable {
    public let registry: MetricsRegistry
    public let mode: String

    public static let failureClasses = ["transient", "permanent", "rejected", "ambiguous"]
    /// The closed set of dead-letter reasons (the full text travels in the `dlq-reason` header).
    public static let deadLetterReasons = [
        "undecodable", "max_attempts", "retries_exhausted", "event_id_conflict", DatabaseFailure.rejectedInputReason,
    ]
    /// Processing delay buckets: they include the 30 s freshness SLO threshold (and 1, 5, 60).
    public static let delayBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300),
    ]

    let applied: Counter
    let duplicatesSkipped: Counter
    let failed: [String: Counter]
    let deadLettered: [String: Counter]
    let eventIDConflicts: Counter
    let batchesCommitted: Counter
    let batchesFailed: Counter
    let batchesIsolated: Counter
    let batchDuration: DurationHistogram
    let commitsOK: Counter
    let commitsFailed: Counter
    let processingDelay: DurationHistogram
    let rebalances: [KafkaRebalanceKind: Counter]
    let assignedPartitions: Gauge
    let inFlight: Gauge
    let paused: Gauge
    let databaseUp: Gauge
    let settlementRuns: [String: Counter]
    let lastSettledPeriod: Gauge
    let settlementPeriodSeconds: Gauge
    let ready: Gauge

    public init(registry: MetricsRegistry, mode: ProcessingMode, settlementPeriodSeconds: Int) {
        self.registry = registry
        self.mode = mode.rawValue
        let m = ("mode", mode.rawValue)
        applied = registry.counter("worker_events_applied_total", help: "Events whose effect was written", labels: [m])
        duplicatesSkipped = registry.counter(
            "worker_duplicates_skipped_total", help: "Events skipped because processed_events already had them", labels: [m])
        failed = Dictionary(uniqueKeysWithValues: Self.failureClasses.map { c in
            (c, registry.counter("worker_events_failed_total", help: "Events in failed database work, by failure class",
                                 labels: [m, ("class", c)]))
        })
        deadLettered = Dictionary(uniqueKeysWithValues: Self.deadLetterReasons.map { r in
            (r, registry.counter("worker_events_dead_lettered_total", help: "Events published to the dead-letter topic",
                                 labels: [m, ("reason", r)]))
        })
        eventIDConflicts = registry.counter(
            "worker_event_id_conflicts_total",
            help: "Messages dead-lettered because their event id was applied with another account or amount", labels: [m])
        batchesCommitted = registry.counter(
            "worker_batches_total", help: "Batch transactions by outcome", labels: [m, ("outcome", "committed")])
        batchesFailed = registry.counter(
            "worker_batches_total", help: "Batch transactions by outcome", labels: [m, ("outcome", "failed")])
        batchesIsolated = registry.counter(
            "worker_batches_isolated_total",
            help: "Batches taken apart after failing transiently in a row: their events are tried alone", labels: [m])
        batchDuration = registry.histogram(
            "worker_batch_duration_seconds", help: "Duration of one batch transaction", labels: [m])
        commitsOK = registry.counter(
            "worker_offset_commits_total", help: "Kafka offset commits by result", labels: [m, ("result", "ok")])
        commitsFailed = registry.counter(
            "worker_offset_commits_total", help: "Kafka offset commits by result", labels: [m, ("result", "failed")])
        processingDelay = registry.histogram(
            "worker_processing_delay_seconds", help: "Apply time minus the Kafka message timestamp", labels: [m],
            buckets: Self.delayBuckets)
        rebalances = Dictionary(uniqueKeysWithValues: KafkaRebalanceKind.allCases.map { k in
            (k, registry.counter("worker_rebalances_total", help: "Rebalance events seen by this consumer",
                                 labels: [m, ("kind", k.rawValue)]))
        })
        assignedPartitions = registry.gauge("worker_assigned_partitions", help: "Partitions this consumer owns", labels: [m])
        inFlight = registry.gauge("worker_in_flight_events", help: "Events in the database transaction in flight", labels: [m])
        paused = registry.gauge(
            "worker_consumption_paused", help: "1 while fetching is paused by backpressure or an outage", labels: [m])
        databaseUp = registry.gauge("worker_database_up", help: "1 when the last database operation reached the server", labels: [m])
        settlementRuns = Dictionary(uniqueKeysWithValues: ["settled", "fenced", "failed"].map { o in
            (o, registry.counter("worker_settlement_runs_total", help: "Settlement periods by outcome",
                                 labels: [m, ("outcome", o)]))
        })
        lastSettledPeriod = registry.gauge(
            "worker_last_settled_period", help: "Newest settlement period known to be settled", labels: [m])
        self.settlementPeriodSeconds = registry.gauge(
            "worker_settlement_period_seconds", help: "SETTLEMENT_PERIOD_SECONDS", labels: [m])
        ready = registry.gauge("worker_ready", help: "1 when the worker reports ready", labels: [m])
        self.settlementPeriodSeconds.set(Double(settlementPeriodSeconds))
    }

    /// The lag gauge of one partition (created on first use; partitions are known only once assigned).
    func lag(partition: PartitionID) -> Gauge {
        registry.gauge("worker_consumer_lag", help: "High watermark minus committed offset, per assigned partition",
                       labels: [("mode", mode), ("partition", String(partition))])
    }

    /// Maps Core's reason text to the closed label set.
    static func reasonLabel(_ reason: String) -> String {
        if reason.hasPrefix("undecodable") { return "undecodable" }
        if reason.hasPrefix(DatabaseFailure.eventIDConflictReason) { return "event_id_conflict" }
        if reason.hasPrefix(DatabaseFailure.rejectedInputReason) { return DatabaseFailure.rejectedInputReason }
        if reason.hasPrefix("failed ") { return "max_attempts" }
        // `after`: failed transiently alone while the database worked; `before`: immediate retries used up.
        return DatabaseFailure.retriesExhaustedReason
    }
}

/// Rebalance kinds as labelled in `replicasafe_worker_rebalances_total`.
enum KafkaRebalanceKind: String, CaseIterable, Sendable {
    case assigned, revoked, lost
}
