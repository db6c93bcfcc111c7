import CLibPQ
import LiveBlocking

extension PostgresConnection {
    /// BEGIN and the prepared statement `name` in one round trip (libpq's pipeline mode: both queries, then
    /// one Sync), on the connection's thread; the statement's rows, or the first error, classified as
    /// `execute(prepared:)` classifies it. The transaction stays open: the caller commits or rolls back.
    ///
    /// Why BEGIN goes with the statement rather than the statement alone (autocommit): a client killed while
    /// its statement waits on a lock leaves the server a statement that still commits once the lock is free,
    /// unknown to the client. Inside BEGIN the same kill leaves an open transaction, which the server rolls back
    /// when it reads the end of the connection, because COMMIT never comes. The Sync ends the pipeline but not
    /// the transaction block BEGIN opened.
    ///
    /// The statement must be prepared in this session already (`SynchronousPostgres.beginAndExecute` prepares
    /// it first, outside the pipeline). Leaves a live connection out of pipeline mode on every path; when libpq
    /// cannot leave it on a live connection, the session is reset (the server rolls back its transaction) so
    /// that the next caller finds a usable connection. A lost connection keeps libpq's pipeline state until the
    /// `PQreset` that any reconnect runs (libpq's synchronous calls fail on it meanwhile, as on any lost
    /// connection).
    func beginAndExecuteOnThread(prepared name: String, _ parameters: [PostgresValue]) throws(PostgresError) -> PostgresRows {
        let operation = "execute \(name)"
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError(operation: "begin") }
        let params = CParameters(parameters)
        defer { params.free() }
        // A failed send (libpq's state, out of memory) still gets its Sync, so that whatever was queued before
        // it is answered and the results below can be read to the end.
        let sentBegin = PQsendQueryParams(handle, "BEGIN", 0, nil, nil, nil, nil, 0) == 1
        let sentStatement = sentBegin
            && PQsendQueryPrepared(handle, name, params.count, params.values, params.lengths, params.formats, 0) == 1
        let sendError = sentStatement ? nil : connectionError(operation: sentBegin ? operation : "begin")
        var outcome: Result<PostgresRows, PostgresError>
        if PQpipelineSync(handle) == 1 {
            outcome = collectBeginAndStatement(operation: operation)
        } else {
            outcome = .failure(sendError ?? connectionError(operation: operation))
        }
        if let sendError { outcome = .failure(sendError) }
        if PQexitPipelineMode(handle) != 1 {
            // A lost connection keeps libpq's pipeline state (the unanswered queries stay queued) until
            // `PQreset`, which the next caller runs anyway: it finds the connection down. A live connection
            // still in pipeline mode would refuse every later synchronous call: reset it here.
            if PQstatus(handle) == CONNECTION_OK {
                let message = connectionMessage(handle)
                PQreset(handle)
                preparedInSession.removeAll()
                if case .success = outcome {
                    outcome = .failure(PostgresError(sqlState: nil, message: message, operation: operation, classification: .transient))
                }
            }
        }
        return try outcome.get()
    }

    /// Reads the pipeline's results up to its Sync: BEGIN's result, a NULL, the statement's result, a NULL,
    /// then `PGRES_PIPELINE_SYNC`. After an error the server skips the rest of the pipeline, which libpq reports
    /// as `PGRES_PIPELINE_ABORTED` (each followed by a NULL) before the Sync. A lost connection ends the
    /// results early: an error result, then NULLs, never the Sync.
    private func collectBeginAndStatement(operation: String) -> Result<PostgresRows, PostgresError> {
        var query = 0  // 0: BEGIN, 1: the statement; a NULL result ends a query's results
        var rows: PostgresRows?
        var firstError: PostgresError?
        var nullsInARow = 0
        while true {
            guard let result = PQgetResult(handle) else {
                nullsInARow += 1
                // Two NULLs in a row: libpq has nothing more to give (only a lost connection does this).
                if nullsInARow == 2 || PQstatus(handle) != CONNECTION_OK { break }
                query += 1
                continue
            }
            nullsInARow = 0
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                break
            }
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            do throws(PostgresError) {
                let consumed = try consume(result, operation: query == 0 ? "begin" : operation, isCommit: false)
                if query == 1 { rows = consumed }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { return .failure(firstError) }
        if let rows { return .success(rows) }
        return .failure(connectionError(operation: operation))
    }

    /// The connection's last libpq error, classified by whether libpq still considers the connection usable.
    private func connectionError(operation: String) -> PostgresError {
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(sqlState: nil, message: connectionMessage(handle), operation: operation,
                             classification: PostgresError.classify(sqlState: nil, connectionLost: lost, duringCommit: false))
    }

    /// The connection's socket (`PQsocket`), read on its thread. Tests shut it down from another thread to
    /// model a client process that dies mid-statement: the server sees the connection end, libpq sees it lost.
    func socketDescriptor() async -> Int32 {
        await executor.run { PQsocket(self.handle) }
    }
}
