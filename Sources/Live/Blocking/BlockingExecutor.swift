import Foundation

/// One dedicated OS thread that runs blocking work (C calls into librdkafka or libpq) in submission order.
///
/// Why: a blocking C call on Swift's cooperative pool starves every other task on a 2-core machine. Each C
/// handle owns one executor, so its calls are also serialised, which is what libpq requires of a connection
/// and what keeps librdkafka's consumer state (rebalance callbacks, pending acknowledgements) single-threaded.
///
/// The thread keeps the executor alive until `shutdown()`; owners call it from their `deinit`.
public final class BlockingExecutor: @unchecked Sendable {
    // Safe: `jobs` and `stopped` are read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false
    public let name: String

    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the executor's thread and returns its result to the awaiting task.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            let accepted = enqueue { continuation.resume(returning: Result(catching: body)) }
            if !accepted {
                // After shutdown the job still runs, inline: the caller must not hang forever.
                continuation.resume(returning: Result(catching: body))
            }
        }
        return try result.get()
    }

    /// Queues `job` without waiting for it. Jobs queued after `shutdown()` run on the calling thread.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        if !enqueue(job) { job() }
    }

    /// Lets the queued jobs finish, then ends the thread. Idempotent.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if stopped { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }
}
