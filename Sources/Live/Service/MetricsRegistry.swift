public import Prometheus

/// The process's Prometheus registry. Every series gets the `replicasafe_` prefix (docs/interfaces.md).
public final class MetricsRegistry: Sendable {
    public let prometheus = PrometheusCollectorRegistry()
    public static let namespace = "replicasafe"
    /// Latency buckets from 1 ms to 10 s, as docs/interfaces.md specifies for request durations.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init() {}

    /// `name` without the `replicasafe_` prefix, e.g. `api_events_accepted_total`.
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        prometheus.makeCounter(descriptor: descriptor(name, help), labels: labels)
    }

    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        prometheus.makeGauge(descriptor: descriptor(name, help), labels: labels)
    }

    public func histogram(
        _ name: String, help: String, labels: [(String, String)] = [], buckets: [Duration] = MetricsRegistry.latencyBuckets
    ) -> DurationHistogram {
        prometheus.makeDurationHistogram(descriptor: descriptor(name, help), labels: labels, buckets: buckets)
    }

    /// The Prometheus text exposition of every series.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        prometheus.emit(into: &buffer)
        return buffer
    }

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: Self.namespace, metricName: name, unitName: "", helpText: help)
    }
}
