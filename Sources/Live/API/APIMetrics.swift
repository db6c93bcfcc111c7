import LiveService
import Prometheus

/// The api's own series (docs/interfaces.md), looked up once.
struct APIMetrics: Sendable {
    let registry: MetricsRegistry
    let accepted: Counter
    let replays: Counter
    private let rejections: [Rejection: Counter]

    /// Requests refused before they could produce anything, as `replicasafe_api_requests_rejected_total{reason}`:
    /// for their credentials or rate, or because their key or event id names another event.
    enum Rejection: String, CaseIterable {
        case unauthenticated, outOfScope = "out_of_scope", rateLimited = "rate_limited"
        case keyReused = "idempotency_key_reused", eventIDConflict = "event_id_conflict"
    }

    init(_ registry: MetricsRegistry) {
        self.registry = registry
        accepted = registry.counter("api_events_accepted_total", help: "New events acknowledged by the broker and answered 202 (replays of an Idempotency-Key not counted)")
        replays = registry.counter("api_idempotent_replays_total", help: "Requests answered from an earlier Idempotency-Key")
        rejections = Dictionary(uniqueKeysWithValues: Rejection.allCases.map { reason in
            (reason, registry.counter("api_requests_rejected_total", help: "Requests refused for their credentials, rate, or a key or event id naming another event",
                                      labels: [("reason", reason.rawValue)]))
        })
    }

    func rejected(_ reason: Rejection) -> Counter {
        rejections[reason]!
    }

    /// Rare (failures only), so looked up per use.
    func produceErrors(reason: String) -> Counter {
        registry.counter("api_produce_errors_total", help: "Events the broker did not acknowledge", labels: [("reason", reason)])
    }
}
