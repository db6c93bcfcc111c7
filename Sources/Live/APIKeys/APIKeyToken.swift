/// An API key as clients send it: `rsk_<key id>_<secret>`, 16 hex digits of public id (what `api keys list`
/// shows and revocation names) and 64 hex digits (256 bits) of secret. Only the secret's SHA-256 is stored
/// (`api_keys.secret_sha256`): a secret this random needs no slow hash, since it cannot be guessed from a dictionary.
public struct APIKeyToken: Sendable, Equatable {
    public static let prefix = "rsk_"
    public let keyID: String
    public let secret: String

    public var text: String { Self.prefix + keyID + "_" + secret }

    /// A new key from the system's cryptographically secure generator (getrandom on Linux).
    public static func generate() -> APIKeyToken {
        var generator = SystemRandomNumberGenerator()
        return APIKeyToken(keyID: hex(bytes: 8, using: &generator), secret: hex(bytes: 32, using: &generator))
    }

    /// The key in `Authorization: Bearer <key>`; nil when the text is not a key's shape.
    public static func parse(_ text: Substring) -> APIKeyToken? {
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.dropFirst(prefix.count)
        let parts = rest.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 16, parts[1].utf8.count == 64,
              parts[0].utf8.allSatisfy(isLowerHex), parts[1].utf8.allSatisfy(isLowerHex) else { return nil }
        return APIKeyToken(keyID: String(parts[0]), secret: String(parts[1]))
    }

    /// The key of an `Authorization` header value, or why there is none.
    public static func fromAuthorization(_ value: String) -> APIKeyToken? {
        let trimmed = value.drop { $0 == " " }
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        return parse(trimmed.dropFirst(7).drop { $0 == " " })
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func hex(bytes: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private init(keyID: String, secret: String) {
        self.keyID = keyID
        self.secret = secret
    }
}
