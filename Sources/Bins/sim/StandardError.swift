#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `print(..., to: &standardError)` for progress lines and argument errors.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        // File descriptor 2 directly: the C `stderr` global is not concurrency-safe in Swift 6.
        var bytes = Array(string.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }

    static var isTerminal: Bool { isatty(2) != 0 }
}
