import Foundation
import LivePostgres
import Testing

/// The PostgreSQL server the conformance test runs on: the one `make test-integration` starts
/// (`scripts/local-postgres.sh`), or `REPLICASAFE_TEST_DATABASE_URL`; a fresh database per test.
enum ConformanceDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["REPLICASAFE_TEST_DATABASE_URL"]
        ?? "postgresql://replicasafe@127.0.0.1:15432/replicasafe"

    static func connect(_ url: String = serverURL) async throws -> PostgresConnection {
        var config = PostgresConfig(url: url)
        config.reconnect = Backoff(base: .milliseconds(20), cap: .milliseconds(200), maxAttempts: 5)
        do {
            return try await PostgresConnection.connect(config)
        } catch {
            Issue.record("PostgreSQL not reachable at \(url): start it with scripts/local-postgres.sh start (\(error))")
            throw error
        }
    }

    static func makeDatabase() async throws -> (name: String, url: String) {
        let admin = try await connect()
        let name = "rs_conformance_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.query("CREATE DATABASE \(name)")
        let base = serverURL[..<(serverURL.lastIndex(of: "/") ?? serverURL.endIndex)]
        return (name, "\(base)/\(name)")
    }

    static func drop(_ name: String) async {
        guard let admin = try? await connect() else { return }
        _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

extension PostgresConnection {
    /// `pg_blocking_pids` of backend `pid`: the sessions whose locks it waits for (empty: it is not waiting).
    func blockers(of pid: Int32) async throws -> [Int32] {
        let rows = try await query("SELECT array_to_string(pg_blocking_pids($1), ',') AS blockers", [.int32(pid)])
        return (rows.value(0, "blockers") ?? "").split(separator: ",").compactMap { Int32($0) }
    }
}
