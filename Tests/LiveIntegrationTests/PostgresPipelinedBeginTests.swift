import Foundation
@testable import LivePostgres
import Testing

/// `SynchronousPostgres.beginAndExecute`: BEGIN and a prepared statement in one round trip (libpq pipeline
/// mode), against a real PostgreSQL. Each test has its own table; other connections hold locks and observe.
@Suite("Postgres pipelined BEGIN and statement", .serialized)
struct PostgresPipelinedBeginTests {
    struct Table {
        let name: String
        let conn: PostgresConnection
        let other: PostgresConnection
        /// Watches `pg_stat_activity` from outside `other`'s transactions (a transaction sees one snapshot of it).
        let observer: PostgresConnection

        static func make() async throws -> Table {
            let name = "pipe_\(UUID().uuidString.prefix(8).lowercased())"
            let other = try await TestDatabase.connect()
            try await other.query("CREATE TABLE \(name) (id int PRIMARY KEY)")
            let table = Table(name: name, conn: try await TestDatabase.connect(), other: other,
                              observer: try await TestDatabase.connect())
            try await table.conn.prepare(table.statement, "INSERT INTO \(name) (id) VALUES ($1) RETURNING id")
            return table
        }

        var statement: String { "ins_\(name)" }

        func count() async throws -> Int64 {
            try await other.query("SELECT count(*) AS n FROM \(name)").int64(0, "n") ?? -1
        }

        func drop() async { _ = try? await other.query("DROP TABLE IF EXISTS \(name)") }

        /// BEGIN and the insert of `id`, in one job on the connection's thread; the transaction stays open.
        func beginAndInsert(_ id: Int32) async -> Result<PostgresRows, PostgresError> {
            let statement = statement
            return await conn.withSynchronousAccess { pg in
                do throws(PostgresError) {
                    return .success(try pg.beginAndExecute(prepared: statement, [.int32(id)]))
                } catch {
                    return .failure(error)
                }
            }
        }

        /// The planted alternative: the insert alone, autocommit (its own transaction, one round trip).
        func insertAutocommit(_ id: Int32) async -> Result<PostgresRows, PostgresError> {
            let statement = statement
            return await conn.withSynchronousAccess { pg in
                do throws(PostgresError) {
                    return .success(try pg.execute(prepared: statement, [.int32(id)]))
                } catch {
                    return .failure(error)
                }
            }
        }

        func state() async -> (pipeline: Bool, transaction: Bool, connected: Bool) {
            await conn.withSynchronousAccess { pg in (pg.isInPipelineMode, pg.isInTransaction, pg.isConnected) }
        }
    }

    @Test("the statement's rows come back inside an open transaction, which COMMIT makes visible")
    func commitsOnCommit() async throws {
        let t = try await Table.make()
        let rows = try await t.beginAndInsert(7).get()
        #expect(rows.int64(0, "id") == 7)
        let state = await t.state()
        #expect(state.pipeline == false, "out of pipeline mode")
        #expect(state.transaction, "BEGIN opened a transaction the pipeline's Sync does not end")
        #expect(try await t.count() == 0, "nothing is visible before COMMIT")
        try await t.conn.commit()
        #expect(try await t.count() == 1)
        #expect(try await t.beginAndInsert(8).get().int64(0, "id") == 8)
        try await t.conn.commit()
        #expect(try await t.count() == 2)
        await t.drop()
    }

    @Test("a failing statement is classified as execute(prepared:) classifies it and leaves the connection usable")
    func failingStatement() async throws {
        let t = try await Table.make()
        _ = try await t.beginAndInsert(1).get()
        try await t.conn.commit()
        let failed = await t.beginAndInsert(1)
        let error = try #require(failed.failure, "expected 23505, got \(failed)")
        #expect(error.sqlState == "23505")
        #expect(error.classification == .permanent)
        #expect(error.operation == "execute \(t.statement)")
        let state = await t.state()
        #expect(state.pipeline == false)
        #expect(state.transaction, "the failed statement leaves the transaction aborted, for the caller to roll back")
        await t.conn.withSynchronousAccess { pg in pg.rollbackQuietly() }
        #expect(try await t.conn.query("SELECT 1 AS one").int64(0, "one") == 1)
        _ = try await t.beginAndInsert(2).get()
        try await t.conn.commit()
        #expect(try await t.count() == 2)
        await t.drop()
    }

    @Test("an unknown statement fails permanently without entering pipeline mode")
    func unknownStatement() async throws {
        let t = try await Table.make()
        let error = await t.conn.withSynchronousAccess { pg -> PostgresError? in
            do throws(PostgresError) {
                try pg.beginAndExecute(prepared: "rs_nothing_by_this_name")
                return nil
            } catch {
                return error
            }
        }
        #expect(error?.sqlState == "26000")
        #expect(await t.state() == (pipeline: false, transaction: false, connected: true))
        await t.drop()
    }

    /// Sends the statement `send` makes while another session holds an uncommitted insert of 5 (an insert of 5
    /// waits for that transaction), ends the client as `ending` says and returns what the client saw.
    static func endWhileWaiting(
        _ t: Table, _ ending: ClientEnding, send: @escaping @Sendable (Table) async -> Result<PostgresRows, PostgresError>
    ) async throws -> Result<PostgresRows, PostgresError> {
        try await t.other.begin()
        try await t.other.query("INSERT INTO \(t.name) (id) VALUES (5)")
        return try await ending.end(t.conn, waitingOn: t.other, observer: t.observer,
                                    "the insert waits for the other session's") { await send(t) }
    }

    /// The property the pipelined BEGIN keeps: whichever way the client ends while its statement waits, nothing
    /// commits, so a client that never saw COMMIT succeed can treat the work as not done.
    @Test("a client ended while its pipelined statement waits on a lock leaves nothing committed",
          arguments: [ClientEnding.backendTerminated, .clientDies])
    func endedWhileWaiting(ending: ClientEnding) async throws {
        let t = try await Table.make()
        _ = try await t.beginAndInsert(1).get()
        try await t.conn.commit()
        let seen = try await Self.endWhileWaiting(t, ending) { await $0.beginAndInsert(5) }
        let error = try #require(seen.failure, "expected a lost connection, got \(seen)")
        #expect(error.classification == .transient, "\(error)")
        #expect(try await t.count() == 1, "the statement that waited is rolled back")
        #expect(await t.state().connected == false)
        try await t.conn.reconnect()
        #expect(await t.state() == (pipeline: false, transaction: false, connected: true),
                "the reconnect (PQreset) ends what libpq kept of the lost connection's pipeline")
        // The new session has not prepared the statement: it is prepared first, outside the pipeline.
        _ = try await t.beginAndInsert(5).get()
        try await t.conn.commit()
        #expect(try await t.count() == 2)
        await t.drop()
    }

    /// Planted: the same statement sent alone, autocommit. When the client dies while it waits, the server goes
    /// on, and the statement commits once the lock is free: work done that its client cannot know of. This is
    /// the case `endedWhileWaiting(.clientDies)` would fail in if BEGIN were not sent with the statement.
    @Test("planted: an autocommit statement whose client dies while it waits still commits")
    func autocommitCommitsAfterClientDies() async throws {
        let t = try await Table.make()
        _ = try await t.beginAndInsert(1).get()
        try await t.conn.commit()
        let seen = try await Self.endWhileWaiting(t, .clientDies) { await $0.insertAutocommit(5) }
        let error = try #require(seen.failure, "expected a lost connection, got \(seen)")
        #expect(error.classification == .transient, "\(error)")
        #expect(try await t.count() == 2, "the statement committed after its client was gone")
        await t.drop()
    }
}

extension Result {
    /// The error, or nil on success: for `#require`, which ends a test whose operation should have failed.
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
