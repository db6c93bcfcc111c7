import HTTPTypes
import Hummingbird
import Instrumentation
import LiveTracing
import Tracing

/// The api's server span, in place of Hummingbird's `TracingMiddleware`, which did span work for every request
/// (context, attributes, a post-write closure on the body) and cost the api a third of its rate at 1 % sampling.
/// The sampling decision comes first: the caller's W3C `traceparent` flag when there is one, else a draw of
/// `ratio` (parent-based, as `TracingBootstrap.Role.edge` describes). A sampled request gets the server span with
/// the attributes Hummingbird's middleware gave it, ended when the handler returns. An unsampled request gets no
/// span; when it carries a caller's `traceparent`, only that extracted context is bound, so the `events produce`
/// span stays unsampled and the message still carries the caller's trace id (flags 00), as before. An unsampled
/// request without a `traceparent` binds nothing: `EventsController` then produces without span or headers.
/// The tracer's own sampler must keep every root the middleware starts (`parentBasedAlwaysOn`, see
/// `TracingBootstrap`).
struct ServerSpanMiddleware<Context: RequestContext>: RouterMiddleware {
    let ratio: Double

    init(ratio: Double) { self.ratio = ratio }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let parent = request.headers[traceParentField]
        let sampled: Bool
        if let parent {
            sampled = TraceParent.isSampled(Array(parent.utf8))
            if !sampled, !Self.isWellFormed(parent) {
                // A malformed header is ignored by the propagator: the request is a root, decided by the ratio.
                return try await handleRoot(request, context: context, next: next)
            }
        } else {
            return try await handleRoot(request, context: context, next: next)
        }
        var serviceContext = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &serviceContext, using: HeadersExtractor())
        guard sampled else {
            return try await ServiceContext.$current.withValue(serviceContext) { try await next(request, context) }
        }
        return try await traced(request, context: context, parent: serviceContext, next: next)
    }

    private func handleRoot(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ratio > 0, ratio >= 1 || Double.random(in: 0..<1) < ratio else { return try await next(request, context) }
        return try await traced(request, context: context, parent: ServiceContext.current ?? .topLevel, next: next)
    }

    private func traced(
        _ request: Request, context: Context, parent: ServiceContext, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let span = startSpan("HTTP \(request.method.rawValue) route not found", context: parent, ofKind: .server)
        defer { span.end() }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
            attributes["url.query"] = request.uri.query
            attributes["user_agent.original"] = request.headers[.userAgent]
            attributes["http.request.body.size"] = request.headers[.contentLength].flatMap { Int($0) }
        }
        do {
            let response = try await ServiceContext.$current.withValue(span.context) { try await next(request, context) }
            if let endpointPath = context.endpointPath { span.operationName = endpointPath }
            span.updateAttributes { attributes in
                attributes["http.route"] = context.endpointPath
                attributes["http.response.status_code"] = Int(response.status.code)
                attributes["http.response.body.size"] = response.body.contentLength
            }
            if response.status.code >= 500 { span.setStatus(.init(code: .error)) }
            return response
        } catch {
            if let endpointPath = context.endpointPath { span.operationName = endpointPath }
            let statusCode = (error as? any HTTPResponseError)?.status.code ?? 500
            span.updateAttributes { attributes in
                attributes["http.route"] = context.endpointPath
                attributes["http.response.status_code"] = statusCode
            }
            if 500..<600 ~= statusCode { span.setStatus(.init(code: .error)) }
            span.recordError(error)
            throw error
        }
    }

    /// `00-<32 hex>-<16 hex>-<2 hex>`: the shape the W3C propagator accepts (it also rejects all-zero ids).
    private static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-") else {
            return false
        }
        return bytes.enumerated().allSatisfy { index, byte in
            index == 2 || index == 35 || index == 52
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
    }
}

private let traceParentField = HTTPField.Name(TraceParent.headerName)!

private struct HeadersExtractor: Extractor {
    func extract(key name: String, from headers: HTTPFields) -> String? {
        guard let headerName = HTTPField.Name(name) else { return nil }
        return headers[headerName]
    }
}
