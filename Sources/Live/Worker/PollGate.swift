import Foundation

/// Holds the poll task while any reason to hold it stands:
/// - `rebalance`: after a poll returned a rebalance, until the driver has queued what the rebalance requires on
///   the consumer (acknowledge, pause partitions still loading their offsets). Without it the next poll could
///   hand out messages of a partition whose position is about to be moved.
/// - `backpressure`: Core's queue is full. Not polling leaves fetched messages in librdkafka's queue, where a
///   `rd_kafka_pause_partitions` would purge them and librdkafka 2.0.2 re-fetches only on its next one-second
///   tick after the resume (measured: bench-worker fell to half its rate).
final class PollGate: @unchecked Sendable {
    enum Reason: Hashable, Sendable {
        case rebalance
        case backpressure
    }

    // Safe: `reasons` and `waiter` are only touched while `lock` is held.
    private let lock = NSLock()
    private var reasons: Set<Reason> = []
    private var waiter: CheckedContinuation<Void, Never>?

    func close(_ reason: Reason) {
        lock.withLock { _ = reasons.insert(reason) }
    }

    func open(_ reason: Reason) {
        let resumed: CheckedContinuation<Void, Never>? = lock.withLock {
            reasons.remove(reason)
            guard reasons.isEmpty else { return nil }
            defer { waiter = nil }
            return waiter
        }
        resumed?.resume()
    }

    /// Opens for good (shutdown): every reason is dropped.
    func openAll() {
        let resumed: CheckedContinuation<Void, Never>? = lock.withLock {
            reasons.removeAll()
            defer { waiter = nil }
            return waiter
        }
        resumed?.resume()
    }

    /// Returns once no reason holds the gate.
    func pass() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passNow: Bool = lock.withLock {
                if reasons.isEmpty { return true }
                waiter = continuation
                return false
            }
            if passNow { continuation.resume() }
        }
    }
}
