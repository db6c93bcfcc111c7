public import Core

extension PlannedEvent {
    /// Hex digits after the account's own id in an `oversized-account` poison event: past the accounts index's
    /// 2,704-byte limit whatever the prefix, and compressed (4 bits of information a byte) still past it.
    static let oversizedAccountDigits = 6_000

    /// The account id of an `oversized-account` poison event: its planned account's id, a dash, and hex digits
    /// drawn from the event id. Hex from a generator does not compress, so PostgreSQL cannot shrink the index
    /// row under the limit (a repeated pattern would compress and fit).
    public static func oversizedAccount(_ account: AccountID, event: EventID) -> AccountID {
        var random = SplitMix64(seed: event.high ^ (event.low &* 0x9E37_79B9_7F4A_7C15))
        let digits = Array("0123456789abcdef".utf8)
        var text = Array(account.rawValue.utf8)
        text.append(UInt8(ascii: "-"))
        text.reserveCapacity(text.count + oversizedAccountDigits)
        while text.count < account.rawValue.utf8.count + 1 + oversizedAccountDigits {
            var word = random.next()
            for _ in 0..<16 {
                text.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        return AccountID(String(decoding: text.prefix(account.rawValue.utf8.count + 1 + oversizedAccountDigits), as: UTF8.self))
    }

    /// The account of a `stuck-account` poison event: its planned account's id with `-locked-` and the event
    /// id's low word, an account no other event names, so the stuck session holds back this event alone.
    public static func stuckAccount(_ account: AccountID, event: EventID) -> AccountID {
        AccountID("\(account.rawValue)-locked-\(String(event.low, radix: 16))")
    }
}
