import EventWire
import Foundation

/// What Foundation reads from a body into `EventFields`: the reference the hand-written reader is tested against.
/// JSONSerialization decides whether the body is JSON (JSONDecoder alone is lazy: a malformed value it never
/// converts, such as `012`, passes), then JSONDecoder reads the members as the api did before the reader.
enum FoundationOracle {
    enum Outcome: Equatable {
        case fields(EventFields)
        case notAnObject
        case notJSON
    }

    static func read(_ body: String) -> Outcome {
        let data = Data(body.utf8)
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return .notJSON }
        guard object is [String: Any] else { return .notAnObject }
        do {
            return .fields(try JSONDecoder().decode(Wire.self, from: data).fields)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            return .notAnObject
        } catch {
            return .notJSON
        }
    }

    private struct Wire: Decodable {
        var fields = EventFields()

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in EventFields.Key.allCases { fields[key] = try Self.value(container, Key(rawValue: key.rawValue)!) }
        }

        struct Key: CodingKey {
            var stringValue: String
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(rawValue: String) { self.stringValue = rawValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        private static func value(_ c: KeyedDecodingContainer<Key>, _ key: Key) throws -> FieldValue {
            guard c.contains(key) else { return .missing }
            if try c.decodeNil(forKey: key) { return .null }
            if let text = try? c.decode(String.self, forKey: key) { return .string(text) }
            if let integer = try? c.decode(Int64.self, forKey: key) { return .integer(integer) }
            if let number = try? c.decode(Double.self, forKey: key), number.rounded() == number { return .integralBeyondInt64 }
            return .other
        }
    }
}
