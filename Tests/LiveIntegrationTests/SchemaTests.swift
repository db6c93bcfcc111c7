import Foundation
import LivePostgres
import Testing

@Suite("Schema migrations")
struct SchemaTests {
    @Test("Schema.sql is byte-for-byte db/schema.sql")
    func embeddedBytes() throws {
        let file = try Data(contentsOf: repositoryFile("db/schema.sql"))
        #expect(Data(Schema.sql.utf8) == file)
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
            #expect(tables == ["accounts", "api_keys", "consumer_offsets", "event_attempts", "idempotency_keys", "ledger",
                               "ledger_batches", "processed_events", "settlement_fence", "settlements"])
            #expect(try await conn.query("SELECT balance_cents FROM accounts").int64(0, "balance_cents") == 5, "data kept")
        }
        await TestDatabase.drop(name)
    }

    @Test("a version-1 database migrates: rows no settlement run has seen yet get batches, older rows stay as they are")
    func fromVersionOne() async throws {
        // Version 1: no ledger_batches, no ledger.batch_id.
        try await migrated(from: "DROP TABLE ledger_batches; ALTER TABLE ledger DROP COLUMN batch_id;", """
            INSERT INTO settlements (job, period, total_cents, settled_by, settled_at)
              VALUES ('settlement', 1, 5, 'w1', '2026-11-27 12:00:10+00');
            INSERT INTO ledger (event_id, account_id, amount_cents, kafka_partition, kafka_offset, applied_by, applied_at)
              VALUES (gen_random_uuid(), 'a', 5, 0, 0, 'w1', '2026-11-27 12:00:05+00'),
                     (gen_random_uuid(), 'a', 7, 0, 1, 'w1', '2026-11-27 12:00:11+00'),
                     (gen_random_uuid(), 'b', 8, 1, 0, 'w1', '2026-11-27 12:00:11+00'),
                     (gen_random_uuid(), 'a', 9, 0, 2, 'w2', '2026-11-27 12:00:12+00');
            """) { conn in
            let batches = try await conn.query("SELECT applied_by, entries, total_cents FROM ledger_batches ORDER BY applied_at, applied_by")
            #expect(batches.rows == [["w1", "2", "15"], ["w2", "1", "9"]], "one batch per applying transaction after the last run")
            let unbatched = try await conn.query("SELECT amount_cents FROM ledger WHERE batch_id IS NULL").rows
            #expect(unbatched == [["5"]], "the row the last run could count stays outside the marking")
        }
    }

    @Test("a version-3 database whose claims share an event id migrates: the earliest claim of each id stays, then one per id")
    func fromVersionThree() async throws {
        // Version 3: no unique index on the claims' event id, no scope.
        try await migrated(from: """
            DROP INDEX idempotency_keys_event_id;
            ALTER TABLE idempotency_keys DROP COLUMN key_scope, ADD PRIMARY KEY (idempotency_key);
            INSERT INTO idempotency_keys (idempotency_key, request_hash, event_id, created_at) VALUES
              ('late', 'h2', '6f9619ff-8b86-4d11-b42d-00c04fc964ff', '2026-11-27 12:00:02+00'),
              ('early', 'h1', '6f9619ff-8b86-4d11-b42d-00c04fc964ff', '2026-11-27 12:00:01+00'),
              ('alone', 'h3', '0e4c8e2a-5a1d-4c3b-9f6e-2d7a1b3c4d5e', '2026-11-27 12:00:03+00');
            """) { conn in
            let kept = try await conn.query("SELECT idempotency_key FROM idempotency_keys ORDER BY 1").rows
            #expect(kept == [["alone"], ["early"]])
            await #expect(throws: PostgresError.self, "the index refuses a second claim of an id") {
                try await conn.query("""
                    INSERT INTO idempotency_keys (key_scope, idempotency_key, request_hash, event_id)
                    VALUES ('s', 'again', 'h4', '6f9619ff-8b86-4d11-b42d-00c04fc964ff')
                    """)
            }
        }
    }

    /// A fresh database at the current schema taken back to an older version by `downgrade` (each run as one simple
    /// query: what that version lacks dropped, the rows it may hold inserted), migrated twice, then handed to
    /// `check`; dropped afterwards.
    private func migrated(from downgrade: String..., check: (PostgresConnection) async throws -> Void) async throws {
        let (name, url) = try await TestDatabase.makeDatabase()
        do {
            let conn = try await TestDatabase.connect(url)
            try await Schema.migrate(conn)
            for sql in downgrade {
                try await conn.simpleQuery(sql)
            }
            try await Schema.migrate(conn)
            try await Schema.migrate(conn)
            try await check(conn)
        }
        await TestDatabase.drop(name)
    }
}
