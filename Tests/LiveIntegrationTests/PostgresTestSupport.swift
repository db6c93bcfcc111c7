import Foundation
import LivePostgres
import Testing

/// The integration tests' database server: `scripts/local-postgres.sh start` (run by `make test-integration`),
/// or `REPLICASAFE_TEST_DATABASE_URL`.
enum TestDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["REPLICASAFE_TEST_DATABASE_URL"]
        ?? "postgresql://replicasafe@127.0.0.1:15432/replicasafe"

    static func config(_ url: String = serverURL) -> PostgresConfig {
        var config = PostgresConfig(url: url)
        config.reconnect = Backoff(base: .milliseconds(20), cap: .milliseconds(200), maxAttempts: 5)
        return config
    }

    static func connect(_ url: String = serverURL) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(config(url))
        } catch {
            Issue.record("PostgreSQL not reachable at \(url): start it with scripts/local-postgres.sh start (\(error))")
            throw error
        }
    }

    /// A fresh, empty database for one test; dropped by `drop`.
    static func makeDatabase() async throws -> (name: String, url: String) {
        let admin = try await connect()
        let name = "rs_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.query("CREATE DATABASE \(name)")
        let base = serverURL[..<(serverURL.lastIndex(of: "/") ?? serverURL.endIndex)]
        return (name, "\(base)/\(name)")
    }

    /// The schema as its owner, then db/grants.sql: the least-privilege roles `api` and `worker` (created by
    /// scripts/local-postgres.sh) get exactly the privileges they have on EKS.
    static func migrateAndGrant(_ url: String) async throws {
        let owner = try await connect(url)
        try await Schema.migrate(owner)
        try await owner.simpleQuery(try String(contentsOf: repositoryFile("db/grants.sql"), encoding: .utf8))
    }

    /// The same database as one of the least-privilege roles (`api`, `worker`).
    static func url(_ url: String, role: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex)
        else { return url }
        return url.replacingCharacters(in: scheme.upperBound..<at.lowerBound, with: role)
    }

    static func drop(_ name: String) async {
        guard let admin = try? await connect() else { return }
        _ = try? await admin.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// Path of a file in the repository (tests run from the package root or elsewhere).
func repositoryFile(_ relative: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative)
}
