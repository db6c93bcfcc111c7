import LiveService
import Prometheus

/// The api's own series (docs/interfaces.md), looked up once.
struct APIMetrics: Sendable {
    let registry: MetricsRegistry
    let accepted: Counter
    let replays: Counter

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        accepted = registry.counter("api_events_accepted_total", help: "New events acknowledged by the broker and answered 202 (replays of an Idempotency-Key not counted)")
        replays = registry.counter("api_idempotent_replays_total", help: "Requests answered from an earlier Idempotency-Key")
    }

    /// Rare (failures only), so looked up per use.
    func produceErrors(reason: String) -> Counter {
        registry.counter("api_produce_errors_total", help: "Events the broker did not acknowledge", labels: [("reason", reason)])
    }
}
