import Synchronization

/// Per-client token buckets: each API key may send `ratePerSecond` requests per second on average and `burst` at
/// once, on each api replica (the limit a client sees in all is the replica count times this). A bucket
/// untouched for a minute is dropped, so a replica holds buckets only for its active clients.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let lastSweep = Mutex<ContinuousClock.Instant>(.now)

    /// Nil when the request may go on; otherwise how long until one more request would be admitted.
    func admit(_ principal: Principal, now: ContinuousClock.Instant = .now) -> Duration? {
        sweepIfDue(now)
        return buckets.withLock { buckets -> Duration? in
            let rate = Double(principal.ratePerSecond)
            var bucket = buckets[principal.keyID] ?? Bucket(tokens: Double(principal.burst), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(principal.burst), bucket.tokens + seconds * rate)
            bucket.updated = now
            defer { buckets[principal.keyID] = bucket }
            guard bucket.tokens >= 1 else { return .seconds((1 - bucket.tokens) / rate) }
            bucket.tokens -= 1
            return nil
        }
    }

    private func sweepIfDue(_ now: ContinuousClock.Instant) {
        let due = lastSweep.withLock { last -> Bool in
            guard now - last > .seconds(60) else { return false }
            last = now
            return true
        }
        guard due else { return }
        buckets.withLock { $0 = $0.filter { now - $0.value.updated < .seconds(60) } }
    }
}
