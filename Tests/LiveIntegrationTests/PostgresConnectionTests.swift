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

    @Test("a pool lends each connection to one task at a time; a lender that shares one is caught")
    func pool() async throws {
        let pool = try await PostgresPool.connect(TestDatabase.config(), size: 2)
        let pooled = HoldRecorder(tasks: 10)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await pool.withConnection { (c: PostgresConnection) throws(PostgresError) in await pooled.hold(c) }
                }
            }
            try await group.waitForAll()
        }
        #expect(await pooled.overlaps == 0, "no connection held by two tasks at once")
        #expect(await pooled.maxInside == 2, "both connections lent at the same time")
        #expect(await pooled.connections == 2)

        // Planted: a lender that hands its one connection to every task. The same recorder must see overlaps.
        let shared = try await TestDatabase.connect()
        let planted = HoldRecorder(tasks: 10)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { await planted.hold(shared) } }
        }
        #expect(await planted.overlaps > 0, "the recorder catches a connection held by two tasks")
    }
}

/// Records which connection each task holds. A holder keeps its connection (and uses it) until `min(2, tasks
/// not yet done)` tasks hold one, so two holds overlap in time whenever the lender allows it: the pool's two
/// connections at once, or a shared connection twice.
actor HoldRecorder {
    private var holders: [ObjectIdentifier: Int] = [:]
    private var seen: Set<ObjectIdentifier> = []
    private var remaining: Int
    private var inside = 0
    private(set) var overlaps = 0
    private(set) var maxInside = 0

    init(tasks: Int) { remaining = tasks }

    var connections: Int { seen.count }

    nonisolated func hold(_ connection: PostgresConnection) async {
        await enter(connection)
        _ = try? await connection.query("SELECT 1")
        _ = try? await eventually(10, "a second task holds a connection") { await self.mayLeave() }
        await exit(connection)
    }

    private func enter(_ connection: PostgresConnection) {
        let id = ObjectIdentifier(connection)
        if holders[id, default: 0] > 0 { overlaps += 1 }
        holders[id, default: 0] += 1
        seen.insert(id)
        inside += 1
        maxInside = max(maxInside, inside)
    }

    private func exit(_ connection: PostgresConnection) {
        holders[ObjectIdentifier(connection), default: 0] -= 1
        inside -= 1
        remaining -= 1
    }

    private func mayLeave() -> Bool { inside >= min(2, remaining) }
}
