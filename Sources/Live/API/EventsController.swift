import Core
import EventWire
import Foundation
import HTTPTypes
import Hummingbird
import Instrumentation
import LiveAPIKeys
import LiveKafka
import LivePostgres
import LiveService
import LiveTracing
import Logging
import NIOCore
import Prometheus
import Tracing

/// `POST /v1/events`: validate, produce keyed by `account_id`, answer 202 once the broker acknowledged.
struct EventsController: Sendable {
    let config: APIConfig
    let producer: KafkaProducer
    let idempotency: IdempotencyStore
    let keys: APIKeyVerifier
    let limiter: RateLimiter
    let metrics: APIMetrics
    let logger: Logger
    private static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    private static let replayed = HTTPField.Name("Idempotent-Replayed")!

    func create(_ request: Request, context: some RequestContext) async throws -> Response {
        let principal = try await authenticate(request)
        try checkContentType(request)
        let body = try await collect(request)
        let event = try EventRequest.parse(body)
        guard principal.scope.permits(account: event.accountID) else {
            metrics.rejected(.outOfScope).increment()
            throw APIError.outOfScope(account: event.accountID)
        }
        let eventID = event.eventID ?? RandomEventIDs.next()
        guard let key = request.headers[Self.idempotencyKey] else {
            try await publish(event, eventID: eventID)
            metrics.accepted.increment()
            return accepted(eventID.description, replayed: false)
        }
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw APIError.invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
        }
        // The key is the caller's: scoped to its API key id, so another client's `order-1` is another claim.
        let outcome = try await idempotency.run(
            key: key, scope: principal.keyID, request: event, eventID: eventID.description, producing: producing(event))
        switch outcome {
        case .accepted(let id):
            metrics.accepted.increment()
            return accepted(id, replayed: false)
        case .replay(let id), .sameEvent(let id):
            metrics.replays.increment()
            return accepted(id, replayed: true)
        case .keyReused:
            metrics.rejected(.keyReused).increment()
            throw APIError.keyReused
        case .eventIDConflict(let id):
            metrics.rejected(.eventIDConflict).increment()
            throw APIError.eventIDConflict(id)
        }
    }

    /// Who is asking, and whether they may ask now: 401 without a valid key, 429 over the key's rate.
    private func authenticate(_ request: Request) async throws(APIError) -> Principal {
        let principal: Principal
        do {
            principal = try await keys.principal(authorization: request.headers[.authorization])
        } catch {
            if error.status == .unauthorized { metrics.rejected(.unauthenticated).increment() }
            throw error
        }
        if let wait = limiter.admit(principal) {
            metrics.rejected(.rateLimited).increment()
            throw .rateLimited(ratePerSecond: principal.ratePerSecond, retryAfter: wait)
        }
        return principal
    }

    private func checkContentType(_ request: Request) throws(APIError) {
        guard let value = request.headers[.contentType], MediaType.isJSON(value) else { throw APIError.unsupportedMediaType }
    }

    private func collect(_ request: Request) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > config.maxBodyBytes {
            throw APIError.tooLarge(limit: config.maxBodyBytes)
        }
        do {
            let buffer = try await request.body.collect(upTo: config.maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: config.maxBodyBytes)
        }
    }

    /// A keyed request's event goes to the broker from the claim writer, right after its claim, unless the
    /// request is traced: its produce span and `traceparent` header need the request's context, so its task
    /// produces after the claim.
    private func producing(_ request: EventRequest) -> IdempotencyStore.Producing {
        if config.tracing && ServiceContext.current != nil {
            return .byRequest { (id, occurredAt) throws(APIError) in
                try await publish(request, eventID: id, occurredAt: Timestamp(milliseconds: occurredAt))
            }
        }
        let (topic, metrics) = (config.topic, metrics)
        return .byClaimWriter(ProduceAfterClaim(
            producer: producer,
            message: { id, occurredAt in
                Self.message(request, eventID: id, occurredAt: Timestamp(milliseconds: occurredAt), topic: topic)
            },
            failed: { error in Self.produceFailed(error, metrics: metrics) }))
    }

    private func publish(_ request: EventRequest, eventID: EventID, occurredAt: Timestamp? = nil) async throws(APIError) {
        // Whole milliseconds of the wall clock: what the value carries (RFC 3339 with milliseconds).
        let now = occurredAt ?? Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        let message = Self.message(request, eventID: eventID, occurredAt: now, topic: config.topic)
        if config.tracing { try await sendTraced(message, eventID: eventID) } else { try await send(message) }
    }

    /// The event's Kafka message: keyed by `account_id`, the value as the worker reads it.
    private static func message(_ request: EventRequest, eventID: EventID, occurredAt: Timestamp, topic: String) -> KafkaOutgoingMessage {
        let event = Event(id: eventID, account: AccountID(request.accountID), amountCents: request.amountCents, occurredAt: occurredAt)
        return KafkaOutgoingMessage(topic: topic, key: Array(request.accountID.utf8), value: EventValue.encode(event))
    }

    /// `send` in an `events produce` span whose context travels in the message's headers (W3C `traceparent`).
    /// No context bound means `ServerSpanMiddleware` left an unsampled request without a caller's `traceparent`:
    /// no span, no header (the tracer would otherwise start a sampled root here, its sampler keeping every root).
    private func sendTraced(_ message: KafkaOutgoingMessage, eventID: EventID) async throws(APIError) {
        guard ServiceContext.current != nil else { return try await send(message) }
        var message = message
        let span = startSpan("events produce", ofKind: .producer)
        defer { span.end() }
        span.attributes["messaging.system"] = "kafka"
        span.attributes["messaging.destination.name"] = message.topic
        span.attributes["replicasafe.event_id"] = eventID.description
        InstrumentationSystem.instrument.inject(span.context, into: &message.headers, using: KafkaHeaderInjector())
        do {
            try await send(message)
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: error.reason))
            throw error
        }
    }

    private func send(_ message: KafkaOutgoingMessage) async throws(APIError) {
        do {
            _ = try await producer.send(message, resumingOn: EventLoopDeliveryTarget.current)
        } catch {
            throw Self.produceFailed(error, metrics: metrics)
        }
    }

    /// A produce the broker did not acknowledge: counted by its reason, answered 503.
    private static func produceFailed(_ error: KafkaError, metrics: APIMetrics) -> APIError {
        metrics.produceErrors(reason: error.name).increment()
        return .unavailable("broker did not acknowledge the event: \(error.name)")
    }

    private func accepted(_ eventID: String, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if replayed { headers[Self.replayed] = "true" }
        return Response(
            status: .accepted, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: "{\"event_id\":\"\(eventID)\"}"))
        )
    }
}
