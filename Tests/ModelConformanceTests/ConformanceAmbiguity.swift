import Foundation
import LivePostgres
import Synchronization
import TestPolling

/// The server set up for ambiguous commits: `synchronous_standby_names` names a standby that never connects,
/// so a COMMIT run with `synchronous_commit = on` commits locally and then waits for it; terminating its
/// server process then leaves the commit in place and drops the client's connection without an answer
/// (PostgreSQL's `SyncRepWaitForLSN`: "The transaction has already committed locally"). Only on a server whose
/// default `synchronous_commit` is `off` (the local test server's), where no other session's COMMIT waits.
enum ConformanceAmbiguity {
    static let standby = "replicasafe_conformance_absent_standby"
    /// A COMMIT waits for the standby only when its transaction wrote WAL; a row here makes sure it did,
    /// and no statement under test reads the table.
    static let marker = "INSERT INTO conformance_commit_marker DEFAULT VALUES"

    /// Sets the standby up and waits until a COMMIT really waits for it; false (nothing changed) when the
    /// server commits synchronously by default or the role may not `ALTER SYSTEM`.
    static func enable(_ owner: PostgresConnection, url: String) async throws -> Bool {
        guard try await owner.query("SHOW synchronous_commit").value(0, "synchronous_commit") == "off" else { return false }
        try await owner.simpleQuery("CREATE TABLE IF NOT EXISTS conformance_commit_marker (at timestamptz DEFAULT now())")
        do {
            try await owner.simpleQuery("ALTER SYSTEM SET synchronous_standby_names = '\(standby)'")
            try await owner.query("SELECT pg_reload_conf()")
        } catch {
            return false
        }
        // Backends learn that a synchronous standby is configured from the checkpointer, once it has reloaded
        // its configuration: probe until a COMMIT waits, then cancel that wait (the probe commits).
        let probe = try await ConformanceDatabase.connect(url)
        let pid = await probe.backendPID()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try await probeWaits(probe, pid: pid, owner: owner) { return true }
        }
        throw PollTimeout(what: "no COMMIT waited for the synchronous standby \(standby)", seconds: 10)
    }

    static func disable(_ owner: PostgresConnection) async {
        _ = try? await owner.simpleQuery("ALTER SYSTEM RESET synchronous_standby_names")
        _ = try? await owner.query("SELECT pg_reload_conf()")
    }

    /// One probe transaction: whether its COMMIT waited in `SyncRep` (cancelled then) before it answered.
    private static func probeWaits(_ probe: PostgresConnection, pid: Int32, owner: PostgresConnection) async throws -> Bool {
        try await probe.query("BEGIN")
        try await probe.query("SET LOCAL synchronous_commit = on")
        try await probe.query(marker)
        let done = ConformanceLiveSide.Pending()
        let commit = Task {
            _ = try? await probe.query("COMMIT")
            done.answer.withLock { $0 = .ok("") }
        }
        var waited = false
        try await waitUntil(5, "the probe's COMMIT answers or waits", every: .milliseconds(2)) {
            if done.answer.withLock({ $0 }) != nil { return true }
            waited = try await owner.query(
                "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'SyncRep'", [.int32(pid)]).count == 1
            return waited
        }
        if waited { try await owner.query("SELECT pg_cancel_backend($1)", [.int32(pid)]) }
        await commit.value
        return waited
    }
}
