/// Random (version 4) UUIDs in lower-case text. Foundation's `UUID()` on Linux showed up in the api's profile
/// (a file open and formatted printing per call); this draws 16 bytes from the system generator (getrandom).
enum EventID {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            var text = [UInt8]()
            text.reserveCapacity(36)
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.append(hex[Int(raw[index] >> 4)])
                text.append(hex[Int(raw[index] & 0x0F)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
