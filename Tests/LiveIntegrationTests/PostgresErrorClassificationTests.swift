import Foundation
import LivePostgres
import Testing

@Suite("Postgres errors are classified transient, permanent or ambiguous")
struct PostgresErrorClassificationTests {
    @Test("data and integrity errors are permanent and keep SQLSTATE and message")
    func permanent() async throws {
        let conn = try await TestDatabase.connect()
        let table = "perm_\(UUID().uuidString.prefix(8).lowercased())"
        try await conn.query("CREATE TABLE \(table) (id int PRIMARY KEY, amount bigint CHECK (amount < 10))")
        defer { Task { _ = try? await conn.query("DROP TABLE \(table)") } }
        try await conn.query("INSERT INTO \(table) VALUES (1, 1)")
        let cases: [(String, String)] = [
            ("INSERT INTO \(table) VALUES (1, 1)", "23505"),
            ("INSERT INTO \(table) VALUES (2, 11)", "23514"),
            ("SELECT 'x'::int", "22P02"),
            ("SELECT 9223372036854775807::bigint + 1", "22003"),
            ("SELEC 1", "42601"),
        ]
        for (sql, state) in cases {
            let error = await #expect(throws: PostgresError.self) { try await conn.query(sql) }
            #expect(error?.sqlState == state, "\(sql)")
            #expect(error?.classification == .permanent, "\(sql)")
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test("connection refused is transient")
    func refused() async throws {
        var config = PostgresConfig(url: "postgresql://replicasafe@127.0.0.1:1/none")
        config.reconnect = Backoff(base: .milliseconds(1), cap: .milliseconds(2), maxAttempts: 2)
        let error = await #expect(throws: PostgresError.self) { _ = try await PostgresConnection.connect(config) }
        #expect(error?.classification == .transient)
        #expect(error?.sqlState == nil)
        #expect(error?.message.contains("refused") == true, "\(String(describing: error))")
    }

    @Test("a backend killed with pg_terminate_backend is transient, and reconnect recovers")
    func terminated() async throws {
        let victim = try await TestDatabase.connect()
        let killer = try await TestDatabase.connect()
        let pid = await victim.backendPID()
        try await killer.query("SELECT pg_terminate_backend($1)", [.int32(pid)])
        let error = await #expect(throws: PostgresError.self) { try await victim.query("SELECT 1") }
        #expect(error?.classification == .transient, "\(String(describing: error))")
        #expect(await victim.isConnected() == false)
        try await victim.reconnect()
        #expect(try await victim.query("SELECT 1 AS one").int64(0, "one") == 1)
        #expect(await victim.backendPID() != pid)
    }

    @Test("a deadlock is transient")
    func deadlock() async throws {
        let a = try await TestDatabase.connect()
        let b = try await TestDatabase.connect()
        let table = "dl_\(UUID().uuidString.prefix(8).lowercased())"
        try await a.query("CREATE TABLE \(table) (id int PRIMARY KEY, v int)")
        defer { Task { _ = try? await a.query("DROP TABLE \(table)") } }
        try await a.query("INSERT INTO \(table) VALUES (1, 0), (2, 0)")
        try await a.begin()
        try await b.begin()
        try await a.query("UPDATE \(table) SET v = 1 WHERE id = 1")
        try await b.query("UPDATE \(table) SET v = 1 WHERE id = 2")
        let aPID = await a.backendPID()
        let bPID = await b.backendPID()
        async let first: PostgresError? = capture { _ = try await a.query("UPDATE \(table) SET v = 2 WHERE id = 2") }
        let observer = try await TestDatabase.connect()
        try await observer.waitUntilLockWait(of: aPID, "a waits for b's row") { $0.blockedBy == [bPID] }
        let second = await capture { _ = try await b.query("UPDATE \(table) SET v = 2 WHERE id = 1") }
        let errors = [await first, second].compactMap { $0 }
        #expect(errors.count == 1)
        #expect(errors.first?.sqlState == "40P01")
        #expect(errors.first?.classification == .transient)
        try? await a.rollback()
        try? await b.rollback()
    }

    /// COMMIT runs a deferred trigger that waits on a lock another session holds; that session then kills
    /// the committing backend. The client sees the connection drop during COMMIT and cannot know the outcome.
    @Test("losing the connection during COMMIT is ambiguous")
    func ambiguousCommit() async throws {
        let committer = try await TestDatabase.connect()
        let other = try await TestDatabase.connect()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let table = "amb_\(suffix)"
        try await other.simpleQuery("""
            CREATE TABLE \(table) (id int PRIMARY KEY);
            CREATE FUNCTION \(table)_wait() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN PERFORM pg_advisory_lock(4242); PERFORM pg_advisory_unlock(4242); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER \(table)_at_commit AFTER INSERT ON \(table)
              DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION \(table)_wait();
            """)
        defer { Task { _ = try? await other.simpleQuery("DROP TABLE \(table); DROP FUNCTION \(table)_wait()") } }
        try await other.query("SELECT pg_advisory_lock(4242)")
        try await committer.begin()
        try await committer.query("INSERT INTO \(table) VALUES (1)")
        let pid = await committer.backendPID()
        async let outcome = capture { try await committer.commit() }
        // Wait until the COMMIT is blocked in the trigger, then kill that backend.
        try await other.waitUntilLockWait(of: pid, "COMMIT reached the deferred trigger") {
            $0.query == "COMMIT" && $0.waitEvent == "advisory"
        }
        try await other.query("SELECT pg_terminate_backend($1)", [.int32(pid)])
        let error = await outcome
        #expect(error?.classification == .ambiguous, "\(String(describing: error))")
        #expect(error?.operation == "commit")
        try await other.query("SELECT pg_advisory_unlock(4242)")
    }

    @Test("the classifier's table")
    func table() {
        #expect(PostgresError.classify(sqlState: "40001", connectionLost: false, duringCommit: true) == .transient)
        #expect(PostgresError.classify(sqlState: "57P01", connectionLost: true, duringCommit: false) == .transient)
        #expect(PostgresError.classify(sqlState: "57P01", connectionLost: true, duringCommit: true) == .ambiguous)
        #expect(PostgresError.classify(sqlState: nil, connectionLost: true, duringCommit: true) == .ambiguous)
        #expect(PostgresError.classify(sqlState: "08006", connectionLost: false, duringCommit: false) == .transient)
        #expect(PostgresError.classify(sqlState: "53300", connectionLost: false, duringCommit: false) == .transient)
        #expect(PostgresError.classify(sqlState: "23505", connectionLost: false, duringCommit: true) == .permanent)
    }
}

private func capture(_ body: () async throws -> Void) async -> PostgresError? {
    do {
        try await body()
        return nil
    } catch let error as PostgresError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
