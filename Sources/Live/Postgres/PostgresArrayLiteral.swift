/// Array parameters in PostgreSQL's text form (`{1,2,3}`, `{"a","b"}`), cast in SQL (`$1::bigint[]`).
/// Text is what libpq sends by default; building one string per array keeps a 500-event batch to a handful of
/// parameters instead of 3,000.
public enum PostgresArrayLiteral {
    public static func integers<S: Sequence>(_ values: S) -> String where S.Element: BinaryInteger {
        var text = "{"
        var first = true
        for value in values {
            if !first { text += "," }
            text += String(value)
            first = false
        }
        return text + "}"
    }

    public static func booleans<S: Sequence<Bool>>(_ values: S) -> String {
        "{" + values.map { $0 ? "t" : "f" }.joined(separator: ",") + "}"
    }

    /// Every element double-quoted, with `"` and `\` escaped, so commas, braces, spaces and the word NULL
    /// inside an account id stay data.
    public static func strings<S: Sequence<String>>(_ values: S) -> String {
        optionalStrings(values.lazy.map { Optional($0) })
    }

    /// The same with SQL NULL (unquoted `NULL`) for nil elements.
    public static func optionalStrings<S: Sequence<String?>>(_ values: S) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            guard let value else {
                out += "NULL".utf8
                continue
            }
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
