public import Logging
import OTel
public import ServiceLifecycle

/// Traces over OTLP/HTTP (swift-otel), off unless an endpoint is configured: `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (e.g. `http://otel-collector.observability:4318`). Every other `OTEL_*`
/// variable of the specification applies (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_*`,
/// `OTEL_SDK_DISABLED`, `OTEL_RESOURCE_ATTRIBUTES`); swift-otel's own logs and metrics stay off (the processes log
/// to stdout and Prometheus scrapes their metrics).
public enum TracingBootstrap {
    /// Which decision a process makes about sampling.
    public enum Role: Sendable {
        /// The api starts traces: parent-based, so a caller's sampled `traceparent` is followed, and otherwise
        /// `defaultRatio` of the requests start a sampled trace (drawn by the api's `ServerSpanMiddleware`).
        case edge
        /// The worker follows the api's decision: it starts a batch span only for batches holding a sampled event
        /// (read from the message headers), so its root spans are always kept.
        case follower
    }

    /// One request in a hundred: what a busy api can export without the collector becoming the bottleneck.
    public static let defaultRatio = 0.01

    /// True when the environment names an OTLP endpoint for traces and does not disable the SDK.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains { !(environment[$0] ?? "").isEmpty }
        return endpoint && environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
    }

    /// Bootstraps the process-wide tracer and returns the exporter's service (run it first in the process's service
    /// group, so it stops last and flushes the spans of the others), or nil when tracing is not configured.
    public static func start(serviceName: String, role: Role, environment: [String: String], logger: Logger) throws -> (any Service)? {
        guard isConfigured(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        switch role {
        case .edge:
            // The api's ServerSpanMiddleware draws `defaultRatio` before any span work and starts spans only for the
            // traces it keeps (and under a caller's unsampled context): the tracer keeps what it is asked to start.
            configuration.traces.sampler = .parentBasedAlwaysOn
        case .follower:
            configuration.traces.sampler = .parentBasedAlwaysOn
        }
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        let service = try OTel.bootstrap(configuration: configuration, environment: environment)
        logger.info("tracing: OTLP/HTTP export on, service \(serviceName)")
        return service
    }
}
