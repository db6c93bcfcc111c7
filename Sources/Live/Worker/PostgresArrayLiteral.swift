import Core

/// Array parameters in PostgreSQL's text form (`{1,2,3}`, `{"a","b"}`), cast in SQL (`$1::bigint[]`).
/// Text is what libpq sends by default; building one string per array keeps a 500-event batch to a handful of
/// parameters instead of 3,000.
enum PostgresArrayLiteral {
    static func integers<S: Sequence>(_ values: S) -> String where S.Element: BinaryInteger {
        var text = "{"
        var first = true
        for value in values {
            if !first { text += "," }
            text += String(value)
            first = false
        }
        return text + "}"
    }

    static func booleans<S: Sequence<Bool>>(_ values: S) -> String {
        "{" + values.map { $0 ? "t" : "f" }.joined(separator: ",") + "}"
    }

    static func uuids<S: Sequence<EventID>>(_ values: S) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(37 * values.underestimatedCount + 2)
        for value in values {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            value.appendText(to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Every element double-quoted, with `"` and `\` escaped, so commas, braces, spaces and the word NULL
    /// inside an account id stay data.
    static func strings<S: Sequence<String>>(_ values: S) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
