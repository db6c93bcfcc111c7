import Foundation

/// A validated `POST /v1/events` body. Amounts are bounded so that every accepted event satisfies the ledger's
/// `CHECK (amount_cents BETWEEN -1000000000000 AND 1000000000000)` (db/schema.sql).
public struct EventRequest: Sendable, Equatable {
    public static let amountBound: Int64 = 1_000_000_000_000
    public static let maxAccountIDBytes = 128

    /// Lower-case UUID; nil when the client let the server choose.
    public var eventID: String?
    public var accountID: String
    public var amountCents: Int64

    /// Canonical text of the request, hashed into `idempotency_keys.request_hash`: a retry with the same key
    /// must carry the same fields.
    var canonical: String { "\(eventID ?? "-")\u{1F}\(accountID)\u{1F}\(amountCents)" }

    /// Parses and validates; malformed JSON is a 400, a wrong or missing field a 422 naming it.
    public static func parse(_ body: Data) throws(APIError) -> EventRequest {
        do {
            return try decoder.decode(Wire.self, from: body).request
        } catch let error as APIError {
            throw error
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw .malformed("body must be a JSON object")
        } catch {
            throw .malformed("body is not valid JSON")
        }
    }

    private static let decoder = JSONDecoder()

    private enum Key: String, CodingKey {
        case eventID = "event_id", accountID = "account_id", amountCents = "amount_cents"
    }

    /// Decodes field by field so each problem is reported against its field.
    private struct Wire: Decodable {
        let request: EventRequest

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            request = EventRequest(
                eventID: try Self.eventID(container), accountID: try Self.accountID(container),
                amountCents: try Self.amount(container)
            )
        }

        private static func eventID(_ c: KeyedDecodingContainer<Key>) throws -> String? {
            guard c.contains(.eventID), !(try c.decodeNil(forKey: .eventID)) else { return nil }
            guard let text = try? c.decode(String.self, forKey: .eventID) else { throw APIError.invalid("event_id", "must be a UUID string") }
            guard let uuid = UUID(uuidString: text) else { throw APIError.invalid("event_id", "must be a UUID") }
            return uuid.uuidString.lowercased()
        }

        private static func accountID(_ c: KeyedDecodingContainer<Key>) throws -> String {
            guard c.contains(.accountID), !(try c.decodeNil(forKey: .accountID)) else { throw APIError.invalid("account_id", "is required") }
            guard let text = try? c.decode(String.self, forKey: .accountID) else { throw APIError.invalid("account_id", "must be a string") }
            guard !text.isEmpty else { throw APIError.invalid("account_id", "must not be empty") }
            guard text.utf8.count <= maxAccountIDBytes else {
                throw APIError.invalid("account_id", "must be at most \(maxAccountIDBytes) bytes")
            }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw APIError.invalid("account_id", "must not contain control characters")
            }
            return text
        }

        private static func amount(_ c: KeyedDecodingContainer<Key>) throws -> Int64 {
            guard c.contains(.amountCents), !(try c.decodeNil(forKey: .amountCents)) else {
                throw APIError.invalid("amount_cents", "is required")
            }
            let outOfRange = APIError.invalid("amount_cents", "must be between -\(amountBound) and \(amountBound)")
            if let cents = try? c.decode(Int64.self, forKey: .amountCents) {
                guard (-amountBound...amountBound).contains(cents) else { throw outOfRange }
                return cents
            }
            if let number = try? c.decode(Double.self, forKey: .amountCents), number.rounded() == number {
                throw outOfRange  // an integer too large for Int64
            }
            throw APIError.invalid("amount_cents", "must be an integer number of cents")
        }
    }
}
