import Core

/// A strict, allocation-light reader for the one JSON shape the worker consumes: a flat object whose members
/// `event_id`, `account_id`, `occurred_at` are strings and `amount_cents` an integer. Other members are
/// validated and skipped (any JSON value). Foundation's `JSONDecoder` cost more than the whole rest of the
/// worker per event (perf, bench-worker), which is why this exists; `EventDecoderTests` checks it against
/// `JSONSerialization` on valid and invalid inputs.
struct EventJSON {
    struct Fields {
        var eventID: [UInt8]?
        var accountID: String?
        var amountCents: Int64?
        var occurredAt: [UInt8]?
    }

    enum Failure: Error, Equatable {
        case notJSON
        case wrongType(String)
    }

    static func parse(_ bytes: [UInt8]) -> Result<Fields, Failure> {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = EventJSON(bytes: buffer)
            do throws(Failure) {
                return .success(try reader.object())
            } catch {
                return .failure(error)
            }
        }
    }

    private static let eventIDKey = Array("event_id".utf8)
    private static let accountIDKey = Array("account_id".utf8)
    private static let occurredAtKey = Array("occurred_at".utf8)
    private static let amountKey = Array("amount_cents".utf8)

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        skipSpace()
        guard current == byte else { throw .notJSON }
        index += 1
    }

    private mutating func object() throws(Failure) -> Fields {
        var fields = Fields()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            return try end(fields)
        }
        while true {
            skipSpace()
            let key = try string()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            switch key {
            case Self.eventIDKey:
                guard current == UInt8(ascii: "\"") else { throw .wrongType("event_id") }
                fields.eventID = try string()
            case Self.accountIDKey:
                guard current == UInt8(ascii: "\"") else { throw .wrongType("account_id") }
                fields.accountID = String(decoding: try string(), as: UTF8.self)
            case Self.occurredAtKey:
                guard current == UInt8(ascii: "\"") else { throw .wrongType("occurred_at") }
                fields.occurredAt = try string()
            case Self.amountKey:
                fields.amountCents = try integer(named: "amount_cents")
            default:
                try skipValue(depth: 0)
            }
            skipSpace()
            guard let next = current else { throw .notJSON }
            index += 1
            if next == UInt8(ascii: "}") { return try end(fields) }
            guard next == UInt8(ascii: ",") else { throw .notJSON }
        }
    }

    private mutating func end(_ fields: Fields) throws(Failure) -> Fields {
        skipSpace()
        guard index == bytes.count else { throw .notJSON }
        return fields
    }

    /// A string's content with escapes resolved, as UTF-8 bytes; `index` on the opening quote.
    private mutating func string() throws(Failure) -> [UInt8] {
        guard current == UInt8(ascii: "\"") else { throw .notJSON }
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return Array(bytes[start..<index])
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw .notJSON }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw .notJSON }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): try unicodeEscape(into: &out)
                default: throw .notJSON
                }
            default:
                guard byte >= 0x20 else { throw .notJSON }
                out.append(byte)
            }
        }
        throw .notJSON
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw .notJSON }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .notJSON
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func unicodeEscape(into out: inout [UInt8]) throws(Failure) {
        var scalarValue = try hex4()
        if (0xD800...0xDBFF).contains(scalarValue) {
            guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw .notJSON }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw .notJSON }
            scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw .notJSON }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// A JSON number that must be an integer in Int64 range.
    private mutating func integer(named name: String) throws(Failure) -> Int64 {
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw .wrongType(name) }
        if first == UInt8(ascii: "0"), index + 1 < bytes.count,
           (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index + 1]) {
            throw .notJSON  // leading zeros are not JSON
        }
        var magnitude: UInt64 = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw .wrongType(name) }
            magnitude = sum
            index += 1
        }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw .wrongType(name)  // a fraction or exponent: not an integer number of cents
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .wrongType(name) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw .wrongType(name) }
        return Int64(magnitude)
    }

    private mutating func skipValue(depth: Int) throws(Failure) {
        guard depth < 64 else { throw .notJSON }
        skipSpace()
        guard let byte = current else { throw .notJSON }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipSpace()
            if current == close {
                index += 1
                return
            }
            while true {
                if close == UInt8(ascii: "}") {
                    skipSpace()
                    _ = try string()
                    try expect(UInt8(ascii: ":"))
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                guard let next = current else { throw .notJSON }
                index += 1
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw .notJSON }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .notJSON }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw .notJSON }
        index += count
    }

    /// Any JSON number (RFC 8259 grammar), skipped.
    private mutating func number() throws(Failure) {
        func digits() -> Int {
            let start = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }
        if current == UInt8(ascii: "-") { index += 1 }
        let leadingZero = current == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0, !(leadingZero && integerDigits > 1) else { throw .notJSON }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw .notJSON }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw .notJSON }
        }
    }
}

/// UUIDs as bytes without going through `String` formatting (Core's `EventID.description` is written for
/// readability; the batch statement formats 500 of them per transaction).
enum UUIDText {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the canonical lowercase `8-4-4-4-12` form.
    static func append(_ id: EventID, to out: inout [UInt8]) {
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { out.append(UInt8(ascii: "-")) }
            let word = nibble < 16 ? id.high : id.low
            let shift = UInt64(60 - 4 * (nibble % 16))
            out.append(hexDigits[Int((word >> shift) & 0xF)])
        }
    }

    static func string(_ id: EventID) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(36)
        append(id, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the canonical form (either case).
    static func parse(_ bytes: [UInt8]) -> EventID? {
        guard bytes.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | value } else { low = low << 4 | value }
            nibbles += 1
        }
        return EventID(high: high, low: low)
    }
}

