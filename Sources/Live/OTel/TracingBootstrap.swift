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
        /// `edgeRatio` of the requests start a sampled trace (drawn by the api's `ServerSpanMiddleware`).
        case edge
        /// The worker follows the api's decision: it starts a batch span only for batches holding a sampled event
        /// (read from the message headers), so its root spans are always kept.
        case follower
    }

    /// One request in a hundred: what a busy api can export without the collector becoming the bottleneck.
    public static let defaultRatio = 0.01

    /// The share of requests without a caller's `traceparent` that the api samples: the specification's
    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` as the operator sets them (a ratio sampler's argument,
    /// 1 for always-on, 0 for always-off), `defaultRatio` when they are unset. The api's `ServerSpanMiddleware`
    /// draws it, so the tracer itself must not apply it a second time (`start` keeps every root it is asked for).
    public static func edgeRatio(_ environment: [String: String]) throws(TracingConfigurationError) -> Double {
        let sampler = (environment["OTEL_TRACES_SAMPLER"] ?? "").lowercased()
        switch sampler {
        case "":
            return defaultRatio
        case "always_on", "parentbased_always_on":
            return 1
        case "always_off", "parentbased_always_off":
            return 0
        case "traceidratio", "parentbased_traceidratio":
            guard let argument = environment["OTEL_TRACES_SAMPLER_ARG"] else { return 1 }
            guard let ratio = Double(argument), ratio >= 0, ratio <= 1 else {
                throw TracingConfigurationError(reason: "OTEL_TRACES_SAMPLER_ARG \(argument): want a ratio in [0, 1]")
            }
            return ratio
        default:
            throw TracingConfigurationError(reason: "OTEL_TRACES_SAMPLER \(sampler): the api supports always_on, always_off, traceidratio and their parentbased_ forms")
        }
    }

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
        var environment = environment
        if case .edge = role {
            // The sampler variables are read by `edgeRatio` and drawn by the middleware; left here they would make
            // the tracer sample the middleware's sampled requests a second time.
            environment["OTEL_TRACES_SAMPLER"] = nil
            environment["OTEL_TRACES_SAMPLER_ARG"] = nil
        }
        let service = try OTel.bootstrap(configuration: configuration, environment: environment)
        logger.info("tracing: OTLP/HTTP export on, service \(serviceName)")
        return service
    }
}

/// A tracing variable the api cannot follow, named with the value it has.
public struct TracingConfigurationError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
