import Foundation
import LivePostgres
import Testing

@Suite("Schema migrations")
struct SchemaTests {
    @Test("Schema.sql is byte-for-byte db/schema.sql")
    func embeddedBytes() throws {
        let file = try Data(contentsOf: repositoryFile("db/schema.sql"))
        #expect(Data(Schema.sql.utf8) == file, "run scripts/live/embed-schema.py")
    }

    @Test("migrating twice, and concurrently, leaves the same tables")
    func idempotent() async throws {
        let (name, url) = try await TestDatabase.makeDatabase()
        do {
            let conn = try await TestDatabase.connect(url)
            try await Schema.migrate(conn)
            try await conn.query("INSERT INTO accounts (account_id, balance_cents) VALUES ('a', 5)")
            try await Schema.migrate(conn)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await Schema.migrate(try await TestDatabase.connect(url)) }
                }
                try await group.waitForAll()
            }
            let tables = try await conn.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            ).rows.compactMap { $0[0] }
            #expect(tables == ["accounts", "consumer_offsets", "event_attempts", "idempotency_keys", "ledger",
                               "processed_events", "settlement_fence", "settlements"])
            #expect(try await conn.query("SELECT balance_cents FROM accounts").int64(0, "balance_cents") == 5, "data kept")
        }
        await TestDatabase.drop(name)
    }
}
