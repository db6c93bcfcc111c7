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

    /// The specification's `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, read in this one place: whether a
    /// caller's sampling decision is followed, and the share of traces without a sampled caller that are kept.
    public struct Sampler: Equatable, Sendable {
        /// The `parentbased_` forms.
        public var parentBased: Bool
        /// A ratio sampler's argument, 1 for always-on, 0 for always-off.
        public var ratio: Double

        public init(parentBased: Bool, ratio: Double) {
            self.parentBased = parentBased
            self.ratio = ratio
        }

        /// The variables as the operator sets them, nil when `OTEL_TRACES_SAMPLER` is unset (each role has its
        /// default: the api `defaultRatio`, the worker parent-based always-on).
        public init?(_ environment: [String: String]) throws(TracingConfigurationError) {
            let sampler = (environment["OTEL_TRACES_SAMPLER"] ?? "").lowercased()
            parentBased = sampler.hasPrefix("parentbased_")
            switch sampler {
            case "":
                return nil
            case "always_on", "parentbased_always_on":
                ratio = 1
            case "always_off", "parentbased_always_off":
                ratio = 0
            case "traceidratio", "parentbased_traceidratio":
                guard let argument = environment["OTEL_TRACES_SAMPLER_ARG"] else {
                    ratio = 1
                    return
                }
                guard let value = Double(argument), value >= 0, value <= 1 else {
                    throw TracingConfigurationError(reason: "OTEL_TRACES_SAMPLER_ARG \(argument): want a ratio in [0, 1]")
                }
                ratio = value
            default:
                throw TracingConfigurationError(reason: "OTEL_TRACES_SAMPLER \(sampler): the api and the worker support always_on, always_off, traceidratio and their parentbased_ forms")
            }
        }

        /// The same decision as swift-otel's sampler.
        var configuration: OTel.Configuration.TracesConfiguration.SamplerConfiguration {
            switch (parentBased, ratio) {
            case (true, 1): .parentBasedAlwaysOn
            case (true, 0): .parentBasedAlwaysOff
            case (true, _): .parentBasedTraceIDRatio(ratio: ratio) ?? .parentBasedAlwaysOn
            case (false, 1): .alwaysOn
            case (false, 0): .alwaysOff
            case (false, _): .traceIDRatio(ratio: ratio) ?? .alwaysOn
            }
        }
    }

    /// The share of requests without a caller's `traceparent` that the api samples: `Sampler.ratio` (the api
    /// follows a caller's decision in every form), `defaultRatio` when the variables are unset. The api's
    /// `ServerSpanMiddleware` draws it, so the tracer itself must not apply it a second time (`start` keeps every
    /// root it is asked for).
    public static func edgeRatio(_ environment: [String: String]) throws(TracingConfigurationError) -> Double {
        try Sampler(environment)?.ratio ?? defaultRatio
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
        let sampler = try Sampler(environment)
        switch role {
        case .edge:
            // The api's ServerSpanMiddleware draws the ratio before any span work and starts spans only for the
            // traces it keeps (and under a caller's unsampled context): the tracer keeps what it is asked to start.
            configuration.traces.sampler = .parentBasedAlwaysOn
        case .follower:
            configuration.traces.sampler = sampler?.configuration ?? .parentBasedAlwaysOn
        }
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        // `Sampler` has read the sampler variables; swift-otel would read them a second time, with its own meaning
        // (for the api, a second draw on the middleware's sampled roots).
        var environment = environment
        environment["OTEL_TRACES_SAMPLER"] = nil
        environment["OTEL_TRACES_SAMPLER_ARG"] = nil
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
