import Foundation

/// What a request body said about one of the event's fields, before validation. Both readers of the body
/// (`EventBodyScanner` for the common shape, `JSONDecoder` for everything else) produce this, so the rules in
/// `EventRequest.validated` are written once.
enum FieldValue: Sendable, Equatable {
    /// Absent or `null`.
    case missing
    case string(String)
    case integer(Int64)
    /// A number with an integral value that does not fit `Int64` (e.g. `99999999999999999999`).
    case integralBeyondInt64
    /// Any other JSON value: `true`, a fraction, an object, an array.
    case other
}

/// The three fields of `POST /v1/events`, as read from the body.
struct EventFields: Sendable, Equatable {
    var eventID = FieldValue.missing
    var accountID = FieldValue.missing
    var amountCents = FieldValue.missing

    enum Key: String, CodingKey, CaseIterable {
        case eventID = "event_id", accountID = "account_id", amountCents = "amount_cents"
    }

    subscript(key: Key) -> FieldValue {
        get {
            switch key {
            case .eventID: eventID
            case .accountID: accountID
            case .amountCents: amountCents
            }
        }
        set {
            switch key {
            case .eventID: eventID = newValue
            case .accountID: accountID = newValue
            case .amountCents: amountCents = newValue
            }
        }
    }

    /// Reads any JSON body with Foundation's decoder: the general path, and the reference the scanner is
    /// tested against. Unknown members are ignored; a body that is not a JSON object is a 400.
    static func decoded(_ body: Data) throws(APIError) -> EventFields {
        do {
            return try decoder.decode(Wire.self, from: body).fields
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw .malformed("body must be a JSON object")
        } catch {
            throw .malformed("body is not valid JSON")
        }
    }

    private static let decoder = JSONDecoder()

    private struct Wire: Decodable {
        var fields = EventFields()

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in Key.allCases { fields[key] = try Self.value(container, key) }
        }

        private static func value(_ c: KeyedDecodingContainer<Key>, _ key: Key) throws -> FieldValue {
            guard c.contains(key), !(try c.decodeNil(forKey: key)) else { return .missing }
            if let text = try? c.decode(String.self, forKey: key) { return .string(text) }
            if let integer = try? c.decode(Int64.self, forKey: key) { return .integer(integer) }
            if let number = try? c.decode(Double.self, forKey: key), number.rounded() == number { return .integralBeyondInt64 }
            return .other
        }
    }
}
