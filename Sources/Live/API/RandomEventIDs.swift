import Core
import Glibc
import Synchronization

/// Random (version 4) event ids for requests that bring none. Foundation's `UUID()` on Linux showed up in the
/// api's profile (a file open and formatted printing per call), and so did the standard generator's `getrandom`
/// call per 8 bytes; ids come from a 4 KiB pool of kernel randomness, one `getrandom` (glibc's
/// `arc4random_buf`) per 256 ids.
enum RandomEventIDs {
    static func next() -> EventID {
        let (high, low) = pool.withLock { $0.next16() }
        return EventID(
            high: (high & ~0xF000) | 0x4000,  // version 4
            low: (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
        )
    }

    private static let pool = Mutex(RandomPool())
}

/// Kernel randomness drawn in bulk. Not fork-safe (a forked child would repeat the parent's pool); the api never
/// forks.
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
