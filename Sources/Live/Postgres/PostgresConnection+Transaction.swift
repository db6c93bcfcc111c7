import CLibPQ
import LiveBlocking

extension PostgresConnection {
    public func begin() async throws(PostgresError) {
        try await query("BEGIN")
    }

    /// Commits. A lost connection here is `.ambiguous`: the transaction may have been applied.
    /// A COMMIT that the server turned into a ROLLBACK (the transaction had already failed) throws `.permanent`.
    public func commit() async throws(PostgresError) {
        try await executor.run { () throws(PostgresError) in try self.commitOnThread() }
    }

    /// COMMIT on the connection's thread: the one implementation behind both `commit()`s.
    func commitOnThread() throws(PostgresError) {
        var tag = ""
        _ = try execute(operation: "commit", isCommit: true) { conn, _ in
            let result = PQexec(conn, "COMMIT")
            if let result, let raw = PQcmdStatus(result) { tag = String(cString: raw) }
            return result
        } parameters: { [] }
        if tag == "ROLLBACK" {
            throw PostgresError(sqlState: "25P02", message: "COMMIT rolled back an aborted transaction",
                                operation: "commit", classification: .permanent)
        }
    }

    public func rollback() async throws(PostgresError) {
        try await query("ROLLBACK")
    }

    /// Runs `body` inside BEGIN/COMMIT; rolls back if `body` throws (when the connection is still usable).
    public func transaction<T: Sendable>(
        _ body: (PostgresConnection) async throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        try await begin()
        let value: T
        do {
            value = try await body(self)
        } catch {
            if await isConnected() { try? await rollback() }
            throw error
        }
        try await commit()
        return value
    }
}

extension PostgresConnection {
    /// Rolls back a transaction left open (or aborted) by a failed caller, so the next user starts clean.
    public func rollbackIfInTransaction() async {
        let open = await executor.run { () -> Bool in
            let status = PQtransactionStatus(self.handle)
            return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
        }
        if open { try? await rollback() }
    }
}
