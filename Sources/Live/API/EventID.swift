import Glibc
import Synchronization

/// Random (version 4) UUIDs in lower-case text. Foundation's `UUID()` on Linux showed up in the api's profile
/// (a file open and formatted printing per call), and so did the standard generator's `getrandom` call per
/// 8 bytes; ids come from a 4 KiB pool of kernel randomness, one `getrandom` (glibc's `arc4random_buf`) per
/// 256 ids.
enum EventID {
    static func random() -> String {
        var bytes = pool.withLock { $0.next16() }
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
            return String(unsafeUninitializedCapacity: 36) { text in
                var out = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    text[out] = hexDigit(raw[index] >> 4)
                    text[out + 1] = hexDigit(raw[index] & 0x0F)
                    out += 2
                }
                return out
            }
        }
    }

    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static let pool = Mutex(RandomPool())
}

/// Kernel randomness drawn in bulk. Not fork-safe (a forked child would repeat the parent's
/// pool); the api never forks.
private struct RandomPool: ~Copyable {
    private var words = [UInt64](repeating: 0, count: 512)
    private var next = 512

    mutating func next16() -> (UInt64, UInt64) {
        if next + 2 > words.count {
            words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            next = 0
        }
        defer { next += 2 }
        return (words[next], words[next + 1])
    }
}
