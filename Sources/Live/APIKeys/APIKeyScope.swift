/// The accounts a key may move money for: exact account ids, and prefixes written with a trailing `*`
/// (`shop-17-*`; `*` alone is every account).
public struct APIKeyScope: Sendable, Equatable {
    public let patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns
    }

    public func permits(account: String) -> Bool {
        patterns.contains { pattern in
            pattern.hasSuffix("*") ? account.hasPrefix(pattern.dropLast()) : account == pattern
        }
    }

    /// Why a pattern cannot be stored, or nil: non-empty, no control characters, `*` only at the end.
    public static func problem(with pattern: String) -> String? {
        if pattern.isEmpty { return "an account pattern must not be empty" }
        if pattern.dropLast().contains("*") { return "'*' may only end a pattern: \(pattern)" }
        if pattern.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "an account pattern must not contain control characters"
        }
        return nil
    }
}
