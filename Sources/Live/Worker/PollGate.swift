import Foundation

/// Holds the poll task after it returned a rebalance until the driver has carried out what the rebalance
/// requires on the consumer (acknowledge, pause newly assigned partitions until their offsets are loaded).
/// Without it the next poll could hand out messages of a partition whose position is about to be moved.
final class PollGate: @unchecked Sendable {
    // Safe: `isOpen` and `waiter` are only touched while `lock` is held.
    private let lock = NSLock()
    private var isOpen = true
    private var waiter: CheckedContinuation<Void, Never>?

    func close() {
        lock.withLock { isOpen = false }
    }

    func open() {
        let resumed: CheckedContinuation<Void, Never>? = lock.withLock {
            isOpen = true
            defer { waiter = nil }
            return waiter
        }
        resumed?.resume()
    }

    /// Returns once the gate is open.
    func pass() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passNow: Bool = lock.withLock {
                if isOpen { return true }
                waiter = continuation
                return false
            }
            if passNow { continuation.resume() }
        }
    }
}
