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
        "{" + values.map(\.description).joined(separator: ",") + "}"
    }

    /// Every element double-quoted, with `"` and `\` escaped, so commas, braces, spaces and the word NULL
    /// inside an account id stay data.
    static func strings<S: Sequence<String>>(_ values: S) -> String {
        var text = "{"
        var first = true
        for value in values {
            if !first { text += "," }
            first = false
            text += "\""
            for scalar in value.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { text += "\\" }
                text.unicodeScalars.append(scalar)
            }
            text += "\""
        }
        return text + "}"
    }
}
