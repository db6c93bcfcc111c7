import LivePostgres
import Testing

/// db/grants.sql as PostgreSQL enforces it: each workload's role reaches its own tables only, and neither can
/// change the schema. The other suites run the api and the worker as these roles, so a grant they lack fails
/// there; these tests show the grants are not wider than that.
@Suite("Least-privilege database roles", .serialized)
struct RolePrivilegeTests {
    static func denied(_ role: String, _ url: String, _ sql: String) async throws -> Bool {
        let conn = try await TestDatabase.connect(TestDatabase.url(url, role: role))
        do {
            _ = try await conn.query(sql)
            return false
        } catch {
            return "\(error)".contains("permission denied")
        }
    }

    @Test("the api cannot read or write the ledger, the balances or the worker's offsets")
    func apiStaysOutOfTheLedger() async throws {
        let (name, url) = try await TestDatabase.makeDatabase()
        defer { Task { await TestDatabase.drop(name) } }
        try await TestDatabase.migrateAndGrant(url)
        for sql in ["SELECT count(*) FROM ledger", "SELECT * FROM accounts",
                    "INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by) VALUES (gen_random_uuid(), 'a', 1, 0, 0, 'x')",
                    "UPDATE accounts SET balance_cents = 0", "SELECT * FROM consumer_offsets", "SELECT * FROM settlements"] {
            #expect(try await Self.denied("api", url, sql), "api may run: \(sql)")
        }
        #expect(try await !Self.denied("api", url, "SELECT count(*) FROM idempotency_keys"))
    }

    @Test("the worker cannot read the api's idempotency keys, delete ledger rows or change the schema")
    func workerKeepsToItsStatements() async throws {
        let (name, url) = try await TestDatabase.makeDatabase()
        defer { Task { await TestDatabase.drop(name) } }
        try await TestDatabase.migrateAndGrant(url)
        for sql in ["SELECT * FROM idempotency_keys", "DELETE FROM ledger", "TRUNCATE settlements",
                    "DROP TABLE ledger", "CREATE TABLE intruder (id int)", "ALTER TABLE accounts ADD COLUMN x int"] {
            let conn = try await TestDatabase.connect(TestDatabase.url(url, role: "worker"))
            var refused = false
            do { _ = try await conn.query(sql) } catch { refused = "\(error)".contains("permission denied") || "\(error)".contains("must be owner") }
            #expect(refused, "worker may run: \(sql)")
        }
        #expect(try await !Self.denied("worker", url, "SELECT count(*) FROM ledger"))
    }

    @Test("the roles' start-up migration leaves the owner's schema alone")
    func migrationAsARoleIsANoOp() async throws {
        let (name, url) = try await TestDatabase.makeDatabase()
        defer { Task { await TestDatabase.drop(name) } }
        try await TestDatabase.migrateAndGrant(url)
        for role in ["api", "worker"] {
            try await Schema.migrate(try await TestDatabase.connect(TestDatabase.url(url, role: role)))
        }
        let owners = try await TestDatabase.connect(url).query(
            "SELECT count(DISTINCT tableowner) AS n FROM pg_tables WHERE schemaname = 'public'")
        #expect(owners.int64(0, "n") == 1)
    }
}
