/// What the events API needs beyond its clients.
public struct APIConfig: Sendable {
    public var topic: String = "events"
    /// Larger bodies get 413 (an event is well under 1 KiB).
    public var maxBodyBytes: Int = 16 * 1024
    /// Serve `POST /bench/bare-202` (reads the body, answers 202, touches nothing): the benchmark's baseline.
    public var enableBareRoute: Bool = false
    /// How long a replica trusts its answer about an API key: a revoked key stops working within this time.
    public var apiKeyCacheTTL: Duration = .seconds(5)
    /// A server span per request and a producer span per event, its context in the message's `traceparent`
    /// header (the process bootstrapped a tracer). Off, no span is started and no header written.
    public var tracing: Bool = false
    /// With `tracing`, the share of requests without a caller's `traceparent` that start a sampled trace
    /// (`ServerSpanMiddleware` draws it; the api's executable sets `TracingBootstrap.defaultRatio`).
    public var traceSampleRatio: Double = 0.01
    /// Concurrent Idempotency-Key claim statements (`IdempotencyClaims`): fewer writers, larger batches.
    public var claimWriters: Int = 1

    public init(topic: String = "events", maxBodyBytes: Int = 16 * 1024, enableBareRoute: Bool = false,
                apiKeyCacheTTL: Duration = .seconds(5), tracing: Bool = false, claimWriters: Int = 1) {
        self.topic = topic
        self.maxBodyBytes = maxBodyBytes
        self.enableBareRoute = enableBareRoute
        self.apiKeyCacheTTL = apiKeyCacheTTL
        self.tracing = tracing
        self.claimWriters = claimWriters
    }
}
