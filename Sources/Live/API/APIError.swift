import EventWire
import Foundation
public import HTTPTypes
public import Hummingbird

/// A client or dependency error answered with a JSON body naming the reason and, for bad input, the field:
/// `{"error":"invalid_field","field":"amount_cents","reason":"must be an integer"}`.
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    public let status: HTTPResponse.Status
    /// Machine-readable class (docs/openapi.yaml lists them per status): `malformed_json`, `body_too_large`,
    /// `unsupported_media_type`, `invalid_field`, `idempotency_key_reused`, `event_id_conflict`, `method_not_allowed`,
    /// `unavailable`, and the credential and rate codes.
    public let code: String
    public let reason: String
    public let field: String?
    /// Headers the status calls for (`Allow` on 405, `Retry-After` on 503), besides `Content-Type`.
    public let extraHeaders: HTTPFields

    public init(status: HTTPResponse.Status, code: String, reason: String, field: String? = nil, extraHeaders: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.reason = reason
        self.field = field
        self.extraHeaders = extraHeaders
    }

    public var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extraHeaders)
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

    /// 422 as the IETF Idempotency-Key draft answers a key reused with another payload (409 there means a
    /// request with the key still in flight, which a claim never leaves a client waiting on).
    static let keyReused = APIError(
        status: .unprocessableContent, code: "idempotency_key_reused",
        reason: "this Idempotency-Key was already used with a different request body", field: "Idempotency-Key"
    )

    static func eventIDConflict(_ eventID: String) -> APIError {
        APIError(status: .conflict, code: "event_id_conflict",
                 reason: "event_id \(eventID) was already used under another Idempotency-Key with a different account_id or amount_cents",
                 field: "event_id")
    }

    static func unavailable(_ reason: String) -> APIError {
        APIError(status: .serviceUnavailable, code: "unavailable", reason: reason, extraHeaders: [.retryAfter: "1"])
    }

    static let missingCredentials = APIError(
        status: .unauthorized, code: "missing_credentials", reason: "send Authorization: Bearer <API key>",
        extraHeaders: [.wwwAuthenticate: #"Bearer realm="replicasafe""#]
    )

    static let malformedCredentials = invalidToken(
        code: "invalid_credentials", reason: "Authorization must be Bearer followed by an API key (rsk_...)")

    static let unknownCredentials = invalidToken(code: "invalid_credentials", reason: "unknown API key")

    static let revokedCredentials = invalidToken(code: "revoked_credentials", reason: "this API key was revoked")

    private static func invalidToken(code: String, reason: String) -> APIError {
        APIError(status: .unauthorized, code: code, reason: reason,
                 extraHeaders: [.wwwAuthenticate: #"Bearer realm="replicasafe", error="invalid_token""#])
    }

    static func outOfScope(account: String) -> APIError {
        APIError(status: .forbidden, code: "account_not_in_scope",
                 reason: "this API key may not move money for account \(account)", field: "account_id")
    }

    static func rateLimited(ratePerSecond: Int, retryAfter: Duration) -> APIError {
        let seconds = max(1, Int((Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18).rounded(.up)))
        return APIError(status: .tooManyRequests, code: "rate_limited",
                        reason: "more than \(ratePerSecond) requests per second with this API key; retry in \(seconds) s",
                        extraHeaders: [.retryAfter: String(seconds)])
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            status: .methodNotAllowed, code: "method_not_allowed", reason: "\(method.rawValue) is not served on \(path); allowed: \(list)",
            extraHeaders: [.allow: list]
        )
    }
}
