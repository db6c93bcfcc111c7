public import Hummingbird
public import Logging

/// The answer of a readiness check: ready, or not with the reasons (shown in the /readyz body).
public struct Readiness: Sendable, Equatable {
    public var ready: Bool
    public var reasons: [String]

    public init(ready: Bool, reasons: [String] = []) {
        self.ready = ready
        self.reasons = reasons
    }

    public static let ready = Readiness(ready: true)
}

/// `/healthz` (the process answers), `/readyz` (the readiness closure says it can do its job) and `/metrics`
/// (Prometheus text). The api adds them to its own router; the worker serves them alone on its metrics port.
public enum OperationalRoutes {
    /// The paths `add(to:)` serves, each with GET only.
    public static let paths = ["/healthz", "/readyz", "/metrics"]

    public static func add<Context: RequestContext>(
        to router: Router<Context>, metrics: MetricsRegistry, readiness: @escaping @Sendable () async -> Readiness
    ) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, _ in
            let state = await readiness()
            let body = state.ready ? "ready\n" : "not ready: " + state.reasons.joined(separator: "; ") + "\n"
            return Response(
                status: state.ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
            )
        }
    }

    /// A standalone server with only these routes (the worker's metrics port).
    public static func application(
        host: String, port: Int, metrics: MetricsRegistry, readiness: @escaping @Sendable () async -> Readiness,
        logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics))
        add(to: router, metrics: metrics, readiness: readiness)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger
        )
    }
}
