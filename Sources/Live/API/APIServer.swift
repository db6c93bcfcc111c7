import Foundation
public import Hummingbird
public import LiveKafka
public import LivePostgres
public import LiveService
public import Logging

/// Builds the api's router and application from its clients. The `api` executable and the integration
/// tests both use this, so tests exercise the real routes.
public enum APIServer {
    public static func router(
        config: APIConfig, producer: KafkaProducer, pool: PostgresPool, metrics: MetricsRegistry,
        logger: Logger = Logger(label: "api")
    ) -> Router<BasicRequestContext> {
        let router = Router()
        // First, so the server span covers the other middlewares; its context is the produce span's parent.
        // Ours, not Hummingbird's TracingMiddleware: it decides sampling first and does no span work otherwise.
        if config.tracing { router.middlewares.add(ServerSpanMiddleware(ratio: config.traceSampleRatio)) }
        router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics))
        router.middlewares.add(MethodNotAllowedMiddleware(allowed: APIRoutes.table(enableBareRoute: config.enableBareRoute)))
        // The writers hold pooled connections while claims keep arriving: leave at least half the pool to the rest.
        let claims = IdempotencyClaims(pool: pool, writers: max(1, min(config.claimWriters, pool.size / 2)),
                                       metrics: ClaimMetrics(metrics))
        let controller = EventsController(
            config: config, producer: producer, idempotency: IdempotencyStore(claims: claims),
            keys: APIKeyVerifier(pool: pool, cacheTTL: config.apiKeyCacheTTL), limiter: RateLimiter(), metrics: APIMetrics(metrics),
            logger: logger
        )
        router.post(RouterPath(APIRoutes.events)) { request, context in try await controller.create(request, context: context) }
        router.get(RouterPath(APIRoutes.openAPI)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        if config.enableBareRoute {
            router.post(RouterPath(APIRoutes.bare)) { request, _ in
                _ = try await request.body.collect(upTo: config.maxBodyBytes)
                return Response(status: .accepted, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: "{\"event_id\":\"00000000-0000-0000-0000-000000000000\"}")))
            }
        }
        let readiness = ReadinessProbe(producer: producer, pool: pool)
        OperationalRoutes.add(to: router, metrics: metrics, readiness: { await readiness.check() })
        return router
    }

    public static func application(
        host: String, port: Int, config: APIConfig, producer: KafkaProducer, pool: PostgresPool,
        metrics: MetricsRegistry, logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(config: config, producer: producer, pool: pool, metrics: metrics, logger: logger),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            logger: logger
        )
    }
}

/// `/readyz` for the api: a broker answers metadata and the database answers `SELECT 1`. Results are cached
/// for a second so probes and scrapes cannot pile load on either.
actor ReadinessProbe {
    private let producer: KafkaProducer
    private let pool: PostgresPool
    private var cached: (at: ContinuousClock.Instant, value: Readiness)?

    init(producer: KafkaProducer, pool: PostgresPool) {
        self.producer = producer
        self.pool = pool
    }

    func check() async -> Readiness {
        if let cached, ContinuousClock.now - cached.at < .seconds(1) { return cached.value }
        var reasons: [String] = []
        do {
            if try await producer.brokerCount(timeout: .seconds(1)) == 0 { reasons.append("no Kafka broker") }
        } catch {
            reasons.append("Kafka: \(error.name)")
        }
        do {
            try await pool.withConnection { (conn: PostgresConnection) throws(PostgresError) in _ = try await conn.query("SELECT 1") }
        } catch {
            reasons.append("database: \(error.message)")
        }
        let value = Readiness(ready: reasons.isEmpty, reasons: reasons)
        cached = (ContinuousClock.now, value)
        return value
    }
}
