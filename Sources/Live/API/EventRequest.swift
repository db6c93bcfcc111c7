public import Core
public import Foundation
import EventWire

/// A validated `POST /v1/events` body. Amounts are bounded so that every accepted event satisfies the ledger's
/// `CHECK (amount_cents BETWEEN -1000000000000 AND 1000000000000)` (db/schema.sql).
public struct EventRequest: Sendable, Equatable {
    public static let amountBound: Int64 = 1_000_000_000_000
    public static let maxAccountIDBytes = 128

    /// Nil when the client let the server choose.
    public var eventID: EventID?
    public var accountID: String
    public var amountCents: Int64

    /// Canonical text of the request, hashed into `idempotency_keys.request_hash`: a retry with the same key
    /// must carry the same fields.
    var canonical: String { canonical(eventID?.description ?? "-") }

    /// The canonical text of the same event with its id left to the server, when this body names one: a claim made
    /// that way, whose drawn id the client then sends under another key, holds the same event.
    var unnamedCanonical: String? { eventID == nil ? nil : canonical("-") }

    private func canonical(_ id: String) -> String { "\(id)\u{1F}\(accountID)\u{1F}\(amountCents)" }

    /// Parses and validates; a body that is not a JSON object is a 400, a wrong or missing field a 422 naming it.
    public static func parse(_ body: Data) throws(APIError) -> EventRequest {
        switch body.withUnsafeBytes({ EventJSON.fields($0) }) {
        case .success(let fields): return try validated(fields)
        case .failure(.notAnObject): throw .malformed("body must be a JSON object")
        case .failure(.notJSON): throw .malformed("body is not valid JSON")
        }
    }

    /// The field rules, checked in field order so a body with several problems always names the same one.
    /// `null` counts as absent. A repeated member, a member that is not the request's, and `occurred_at` (the
    /// server's to set) are refused rather than ignored: the client meant something the event would not carry.
    static func validated(_ fields: EventFields) throws(APIError) -> EventRequest {
        if let repeated = fields.repeatedMember { throw .invalid(repeated.rawValue, "appears more than once") }
        if fields.occurredAt != .missing { throw .invalid("occurred_at", "is set by the server when it accepts the event") }
        if let unknown = fields.unknownMember {
            throw .invalid(unknown, "is not a member of an event (event_id, account_id, amount_cents)")
        }
        return EventRequest(eventID: try eventID(fields.eventID), accountID: try accountID(fields.accountID),
                     amountCents: try amount(fields.amountCents))
    }

    private static func eventID(_ value: FieldValue) throws(APIError) -> EventID? {
        switch value {
        case .missing, .null: return nil
        case .string(let text):
            guard let id = EventID(uuidString: text) else { throw .invalid("event_id", "must be a UUID") }
            return id
        default: throw .invalid("event_id", "must be a UUID string")
        }
    }

    private static func accountID(_ value: FieldValue) throws(APIError) -> String {
        guard case .string(let text) = value else {
            throw value == .missing || value == .null ? .invalid("account_id", "is required") : .invalid("account_id", "must be a string")
        }
        guard !text.isEmpty else { throw .invalid("account_id", "must not be empty") }
        guard text.utf8.count <= maxAccountIDBytes else {
            throw .invalid("account_id", "must be at most \(maxAccountIDBytes) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid("account_id", "must not contain control characters")
        }
        return text
    }

    private static func amount(_ value: FieldValue) throws(APIError) -> Int64 {
        switch value {
        case .missing, .null: throw .invalid("amount_cents", "is required")
        case .integer(let cents):
            guard (-amountBound...amountBound).contains(cents) else { throw amountOutOfRange }
            return cents
        case .integralBeyondInt64: throw amountOutOfRange
        case .string, .other: throw .invalid("amount_cents", "must be an integer number of cents")
        }
    }

    private static var amountOutOfRange: APIError {
        .invalid("amount_cents", "must be between -\(amountBound) and \(amountBound)")
    }
}
