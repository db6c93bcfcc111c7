import EventWire
import Foundation
public import Hummingbird

/// A client or dependency error answered with a JSON body naming the reason and, for bad input, the field:
/// `{"error":"invalid_field","field":"amount_cents","reason":"must be an integer"}`.
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    public let status: HTTPResponse.Status
    /// Machine-readable class: `malformed_json`, `body_too_large`, `unsupported_media_type`, `invalid_field`,
    /// `idempotency_key_reused`, `unavailable`.
    public let code: String
    public let reason: String
    public let field: String?

    public init(status: HTTPResponse.Status, code: String, reason: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
        self.field = field
    }

    public var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .serviceUnavailable { headers[.retryAfter] = "1" }
        return headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// The JSON body.
    public var json: String {
        var json = "{\"error\":\(JSONText.quoted(code))"
        if let field { json += ",\"field\":\(JSONText.quoted(field))" }
        json += ",\"reason\":\(JSONText.quoted(reason))}"
        return json
    }

    static func malformed(_ reason: String) -> APIError {
        APIError(status: .badRequest, code: "malformed_json", reason: reason)
    }

    static func invalid(_ field: String, _ reason: String) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_field", reason: reason, field: field)
    }

    static func tooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", reason: "request body exceeds \(limit) bytes")
    }

    static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "unsupported_media_type", reason: "Content-Type must be application/json"
    )

    static let keyReused = APIError(
        status: .unprocessableContent, code: "idempotency_key_reused",
        reason: "this Idempotency-Key was already used with a different request body", field: "Idempotency-Key"
    )

    static func unavailable(_ reason: String) -> APIError {
        APIError(status: .serviceUnavailable, code: "unavailable", reason: reason)
    }
}
