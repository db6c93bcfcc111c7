/// `Content-Type` checks on bytes: Foundation's trimming and lower-casing cost 3 us per request (perf profile
/// of `make bench-api`), a tenth of the handler.
enum MediaType {
    private static let json = Array("application/json".utf8)

    /// True when the media type (before any `;` parameters, optional whitespace around it) is
    /// `application/json`, compared case-insensitively as RFC 9110 says.
    static func isJSON(_ headerValue: String) -> Bool {
        var utf8 = headerValue.utf8[...]
        if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) { utf8 = utf8[..<semicolon] }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        while let first = utf8.first, isSpace(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, isSpace(last) { utf8 = utf8.dropLast() }
        return utf8.elementsEqual(json) { lowercased($0) == $1 }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
