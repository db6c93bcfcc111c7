import Foundation
import LivePostgres
import Testing

@Suite("Postgres connection against a real server")
struct PostgresConnectionTests {
    @Test("text, binary and null parameters round-trip; prepared statements survive a reconnect")
    func parameters() async throws {
        let conn = try await TestDatabase.connect()
        let rows = try await conn.query(
            "SELECT $1::bigint + 1 AS n, $2::text AS s, $3::text IS NULL AS isnull, $4::bool AS b, $5::int AS i",
            [.int64(Int64.max - 1), .text("it's \"quoted\" ✓"), .null, .bool(true), .int32(-7)]
        )
        #expect(rows.int64(0, "n") == Int64.max)
        #expect(rows.value(0, "s") == "it's \"quoted\" ✓")
        #expect(rows.bool(0, "isnull") == true)
        #expect(rows.bool(0, "b") == true)
        #expect(rows.int64(0, "i") == -7)

        try await conn.prepare("double_it", "SELECT $1::bigint * 2 AS d")
        #expect(try await conn.execute(prepared: "double_it", [.int64(21)]).int64(0, "d") == 42)
        try await conn.reconnect()
        #expect(try await conn.execute(prepared: "double_it", ["5"]).int64(0, "d") == 10, "re-prepared on the new session")
    }

    @Test("commit keeps, rollback discards, a throwing transaction body rolls back")
    func transactions() async throws {
        let conn = try await TestDatabase.connect()
        let table = "tx_\(UUID().uuidString.prefix(8).lowercased())"
        try await conn.query("CREATE TABLE \(table) (v int PRIMARY KEY)")
        defer { Task { _ = try? await conn.query("DROP TABLE \(table)") } }
        try await conn.begin()
        try await conn.query("INSERT INTO \(table) VALUES (1)")
        try await conn.commit()
        try await conn.begin()
        try await conn.query("INSERT INTO \(table) VALUES (2)")
        try await conn.rollback()
        await #expect(throws: PostgresError.self) {
            try await conn.transaction { (c: PostgresConnection) throws(PostgresError) in
                try await c.query("INSERT INTO \(table) VALUES (3)")
                try await c.query("INSERT INTO \(table) VALUES (1)")  // duplicate: the whole transaction goes
            }
        }
        let values = try await conn.query("SELECT v FROM \(table) ORDER BY v").rows.map { $0[0] }
        #expect(values == ["1"])
        // COMMIT of an aborted transaction is reported, not mistaken for success.
        try await conn.begin()
        _ = try? await conn.query("SELECT 1/0")
        let error = await #expect(throws: PostgresError.self) { try await conn.commit() }
        #expect(error?.classification == .permanent)
    }

    @Test("a pool lends each connection to one task at a time")
    func pool() async throws {
        let pool = try await PostgresPool.connect(TestDatabase.config(), size: 2)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await pool.withConnection { (c: PostgresConnection) throws(PostgresError) in
                        try await c.query("SELECT pg_sleep(0.05)")
                        return await c.backendPID()
                    }
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count == 2)
    }
}
