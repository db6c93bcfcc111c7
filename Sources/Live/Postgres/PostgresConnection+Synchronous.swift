import CLibPQ
import LiveBlocking

extension PostgresConnection {
    /// Runs `body` on the connection's thread as one job, with blocking access to the connection.
    ///
    /// Why it exists: a batch transaction (the worker's) is BEGIN, a statement or two, COMMIT and a status check.
    /// Through the async calls each of those is a hop to the connection's thread and back; on a busy 2-core
    /// machine every hop waits for a scheduler slot, and the hops, not PostgreSQL, set the worker's pace. One
    /// job for the whole transaction keeps libpq's one-caller-at-a-time rule and pays for one hop.
    public func withSynchronousAccess<T: Sendable>(
        _ body: @escaping @Sendable (SynchronousPostgres) -> T
    ) async -> T {
        await executor.run { body(SynchronousPostgres(connection: self)) }
    }
}

/// Blocking access to a `PostgresConnection`, valid only inside `withSynchronousAccess` (on its thread).
/// Same statements, prepared-statement handling and error classes as the async API.
public struct SynchronousPostgres {
    let connection: PostgresConnection

    /// Whether libpq still considers the connection usable (no round trip).
    public var isConnected: Bool { PQstatus(connection.handle) == CONNECTION_OK }

    /// Whether libpq has the connection in pipeline mode (`PQpipelineStatus`): false after every call here on a
    /// live connection. A connection lost mid-pipeline keeps libpq's pipeline state until `reset()` (or the
    /// async `reconnect()`), which every way back to a usable connection goes through.
    public var isInPipelineMode: Bool { PQpipelineStatus(connection.handle) != PQ_PIPELINE_OFF }

    public var isInTransaction: Bool {
        let status = PQtransactionStatus(connection.handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// One `PQreset` attempt (no back-off: the caller decides when to try again). Prepared statements are
    /// prepared again on first use.
    public func reset() throws(PostgresError) {
        PQreset(connection.handle)
        connection.preparedInSession.removeAll()
        guard isConnected else {
            throw PostgresError(sqlState: nil, message: connectionMessage(connection.handle), operation: "reconnect",
                                classification: .transient)
        }
    }

    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
        try connection.execute(operation: "query", isCommit: false) { conn, params in
            PQexecParams(conn, sql, params.count, params.types, params.values, params.lengths, params.formats, 0)
        } parameters: { parameters }
    }

    /// Executes a statement registered with `PostgresConnection.prepare`.
    @discardableResult
    public func execute(prepared name: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
        try prepareInSessionIfNeeded(name)
        return try connection.execute(operation: "execute \(name)", isCommit: false) { conn, params in
            PQexecPrepared(conn, name, params.count, params.values, params.lengths, params.formats, 0)
        } parameters: { parameters }
    }

    /// BEGIN, then the prepared statement `name`, in one round trip (see
    /// `PostgresConnection.beginAndExecuteOnThread`); the transaction stays open for `commit()`. Errors and
    /// their classes are those of `begin()` followed by `execute(prepared:)`; a failed statement leaves the
    /// transaction aborted, for `rollbackQuietly()`. A statement this session has not prepared yet is prepared
    /// first, outside the pipeline.
    @discardableResult
    public func beginAndExecute(prepared name: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
        try prepareInSessionIfNeeded(name)
        return try connection.beginAndExecuteOnThread(prepared: name, parameters)
    }

    private func prepareInSessionIfNeeded(_ name: String) throws(PostgresError) {
        guard !connection.preparedInSession.contains(name) else { return }
        guard let sql = connection.statements[name] else {
            throw PostgresError(sqlState: "26000", message: "no statement prepared as \(name)", operation: "prepare",
                                classification: .permanent)
        }
        _ = try connection.execute(operation: "prepare \(name)", isCommit: false) { conn, _ in
            PQprepare(conn, name, sql, 0, nil)
        } parameters: { [] }
        connection.preparedInSession.insert(name)
    }

    /// Executes `sql` as the prepared statement `name`, registering it first if this connection does not know
    /// it (so a long-lived caller on the connection's thread needs no async `prepare`).
    @discardableResult
    public func execute(prepared name: String, sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
        if connection.statements[name] == nil { connection.statements[name] = sql }
        return try execute(prepared: name, parameters)
    }

    public func begin() throws(PostgresError) {
        try query("BEGIN")
    }

    /// COMMIT, classified as `PostgresConnection.commit()` does: a lost connection here is `.ambiguous`, a
    /// COMMIT the server turned into ROLLBACK is `.permanent`.
    public func commit() throws(PostgresError) {
        try connection.commitOnThread()
    }

    /// Rolls back whatever transaction is open, ignoring errors (the connection may be gone).
    public func rollbackQuietly() {
        if isInTransaction { _ = try? query("ROLLBACK") }
    }
}
