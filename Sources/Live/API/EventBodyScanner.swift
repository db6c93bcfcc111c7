/// Reads the body every well-behaved client sends: a flat JSON object with only the known members, each at
/// most once, whose values are ASCII strings without escapes, integers of at most 18 digits, or `null`.
/// `JSONDecoder` cost more than the rest of the handler per request (perf profile of `make bench-api`).
///
/// Anything outside that shape (escapes, non-ASCII, unknown or repeated members, fractions, nesting,
/// invalid JSON) returns nil and the caller uses `EventFields.decoded`, so this path can make parsing faster
/// but never different; `APIRequestParsingTests` checks both agree on generated bodies.
enum EventBodyScanner {
    static func fields(_ body: UnsafeRawBufferPointer) -> EventFields? {
        var cursor = Cursor(bytes: body)
        return cursor.object()
    }
}

private let quote = UInt8(ascii: "\"")

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func object() -> EventFields? {
        guard take("{") else { return nil }
        var fields = EventFields()
        if take("}") { return atEnd() ? fields : nil }
        var seen: UInt8 = 0  // one bit per key: a repeated member goes to the decoder, which decides
        repeat {
            guard let name = plainString(), take(":"), let (bit, key) = Self.key(name), seen & bit == 0 else { return nil }
            seen |= bit
            skipSpace()
            guard let value = value() else { return nil }
            fields[key] = value
        } while take(",")
        return take("}") && atEnd() ? fields : nil
    }

    private static let names: [(bit: UInt8, key: EventFields.Key, name: [UInt8])] =
        EventFields.Key.allCases.enumerated().map { (1 << $0.offset, $0.element, Array($0.element.rawValue.utf8)) }

    private static func key(_ name: UnsafeRawBufferPointer) -> (UInt8, EventFields.Key)? {
        names.first { $0.name.elementsEqual(name) }.map { ($0.bit, $0.key) }
    }

    private mutating func value() -> FieldValue? {
        guard let byte = current else { return nil }
        return switch byte {
        case quote: plainString().map { .string(String(decoding: $0, as: UTF8.self)) }
        case UInt8(ascii: "n"): literalNull() ? .missing : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): integer().map { .integer($0) }
        default: nil
        }
    }

    /// A string of printable ASCII without escapes; the bytes between the quotes.
    private mutating func plainString() -> UnsafeRawBufferPointer? {
        skipSpace()
        guard current == quote else { return nil }
        let start = index + 1
        index = start
        while let byte = current {
            if byte == quote {
                index += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<index - 1])
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// `-?(0|[1-9][0-9]*)` with at most 18 digits (always fits `Int64`), not followed by a fraction or exponent.
    private mutating func integer() -> Int64? {
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value: Int64 = 0
        while let byte = current, Self.isDigit(byte) {
            if index - start == 18 { return nil }  // before multiplying: 19 digits could overflow
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private mutating func literalNull() -> Bool {
        guard bytes.count - index >= 4, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
              bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func take(_ byte: Unicode.Scalar) -> Bool {
        skipSpace()
        guard current == UInt8(ascii: byte) else { return false }
        index += 1
        return true
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }
}
