import LivePostgres
import TestPolling
import Testing

/// `waitUntil` that also records an issue, so a timeout names its condition in the test's report.
func eventually(
    _ seconds: Double, _ what: String, every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    do {
        try await waitUntil(seconds, what, every: interval, condition)
    } catch let timeout as PollTimeout {
        Issue.record("\(timeout)")
        throw timeout
    }
}

/// What one server process is doing, as another session sees it in `pg_stat_activity`.
struct BackendActivity: Sendable {
    let state: String?
    let query: String?
    let waitEventType: String?
    let waitEvent: String?
    /// `pg_blocking_pids`: the sessions whose locks this one waits for.
    let blockedBy: [Int32]
}

extension PostgresConnection {
    func activity(of pid: Int32) async throws -> BackendActivity? {
        let rows = try await query("""
            SELECT state, query, wait_event_type, wait_event, array_to_string(pg_blocking_pids(pid), ',') AS blockers
            FROM pg_stat_activity WHERE pid = $1
            """, [.int32(pid)])
        guard rows.count == 1 else { return nil }
        let blockers = (rows.value(0, "blockers") ?? "").split(separator: ",").compactMap { Int32($0) }
        return BackendActivity(state: rows.value(0, "state"), query: rows.value(0, "query"),
                               waitEventType: rows.value(0, "wait_event_type"), waitEvent: rows.value(0, "wait_event"),
                               blockedBy: blockers)
    }

    /// Waits until backend `pid` is waiting for a heavyweight lock that satisfies `matching`, as this session
    /// observes it (the lock wait is how the tests hold another session at a chosen point).
    func waitUntilLockWait(
        of pid: Int32, _ what: String, seconds: Double = 10, matching: @escaping (BackendActivity) -> Bool = { _ in true }
    ) async throws {
        try await eventually(seconds, what) {
            guard let activity = try await self.activity(of: pid) else { return false }
            return activity.waitEventType == "Lock" && matching(activity)
        }
    }
}
