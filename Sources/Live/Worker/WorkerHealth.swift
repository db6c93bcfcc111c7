import Foundation
public import LiveService

/// What `/readyz` answers, written by the driver and read by the HTTP server's tasks.
public final class WorkerHealth: @unchecked Sendable {
    // Safe: every field is read and written only while `lock` is held.
    private let lock = NSLock()
    private var coreReady = false
    private var databaseUp = false
    private var phase = "starting"

    public init() {}

    func set(coreReady: Bool) { lock.withLock { self.coreReady = coreReady } }
    func set(databaseUp: Bool) { lock.withLock { self.databaseUp = databaseUp } }
    func set(phase: String) { lock.withLock { self.phase = phase } }

    /// Ready when Core says so (running, not draining) and the database answers.
    public var readiness: Readiness {
        lock.withLock {
            var reasons: [String] = []
            if !coreReady { reasons.append(phase) }
            if !databaseUp { reasons.append("database unreachable") }
            return Readiness(ready: reasons.isEmpty, reasons: reasons)
        }
    }
}
