import LivePostgres

/// One claim writer on its connection's thread (inside `withSynchronousAccess`): takes what is queued, writes it
/// as one statement, resumes the batch's requests, and goes on until nothing waits.
///
/// Why on the connection's thread: through the async API a batch paid a task hop, a hop to the connection's
/// thread and back for the connection check and again for each statement, each waiting for a scheduler slot on
/// a busy 2-core machine. Here a busy writer goes from one batch to the next without any.
struct ClaimWriterSession {
    static let claimStatement = "idempotency_claim"
    static let claimStatementWithUnscoped = "idempotency_claim_with_unscoped"

    let claims: IdempotencyClaims
    let database: SynchronousPostgres

    func run() {
        while true {
            let batch = claims.nextBatch()
            if batch.isEmpty { return }
            resume(batch, with: write(batch.map(\.request)))
        }
    }

    /// Produces the claimed events of the requests that asked for it (each resumed by its delivery report), and
    /// resumes the others on their event loops, with one task per loop for the whole batch.
    private func resume(_ batch: [IdempotencyClaims.Waiting], with outcomes: [Result<IdempotencyClaims.Outcome, APIError>]) {
        var byLoop: [ObjectIdentifier: (loop: EventLoopDeliveryTarget, resumes: [Resume])] = [:]
        for (waiting, outcome) in zip(batch, outcomes) {
            if case .success(let claimed) = outcome, let then = waiting.then {
                let continuation = waiting.continuation
                if then.produce(after: claimed, resumingOn: waiting.loop, { continuation.resume(returning: $0) }) { continue }
            }
            let resume = Resume(continuation: waiting.continuation, outcome: outcome)
            guard let loop = waiting.loop else {
                resume.run()
                continue
            }
            byLoop[ObjectIdentifier(loop.loop), default: (loop, [])].resumes.append(resume)
        }
        for (loop, resumes) in byLoop.values {
            loop.schedule { for resume in resumes { resume.run() } }
        }
    }

    private struct Resume: Sendable {
        let continuation: UnsafeContinuation<Result<IdempotencyClaims.Outcome, APIError>, Never>
        let outcome: Result<IdempotencyClaims.Outcome, APIError>

        func run() { continuation.resume(returning: outcome) }
    }

    /// One batch: the claim statement (prepared; its own transaction), then, only if some keys were taken
    /// already, the read of those claims. A broken connection gets one reconnect attempt per batch. A claim
    /// statement chosen as a deadlock victim committed nothing and runs again: two batches wait on each other when
    /// they race for event ids under different keys in opposite key order.
    private func write(_ requests: [IdempotencyClaims.Request]) -> [Result<IdempotencyClaims.Outcome, APIError>] {
        var attempt = 1
        while true {
            do {
                return try writeOnce(requests).outcomes()
            } catch let error where error.sqlState == Self.deadlockDetected && attempt < Self.deadlockAttempts {
                attempt += 1
            } catch {
                // Whether the claims committed is unknown when the connection broke mid-statement; the client's
                // retry finds out (it claims the key, or finds this claim and produces its event).
                return Array(repeating: .failure(.unavailable("database unavailable: \(error.message)")), count: requests.count)
            }
        }
    }

    private static let deadlockDetected = "40P01"
    private static let deadlockAttempts = 3

    private func writeOnce(_ requests: [IdempotencyClaims.Request]) throws(PostgresError) -> ClaimBatch {
        if !database.isConnected { try database.reset() }
        var batch = ClaimBatch(requests)
        let unscoped = try claims.unscopedClaims { () throws(PostgresError) in
            try database.query(ClaimBatch.unscopedClaimsSQL).bool(0, "unscoped") == true
        }
        let parameters = batch.claimParameters()
        let start = ContinuousClock.now
        let claimed = try unscoped
            ? database.execute(prepared: Self.claimStatementWithUnscoped, sql: ClaimBatch.claimSQLWithUnscoped, parameters)
            : database.execute(prepared: Self.claimStatement, sql: ClaimBatch.claimSQL, parameters)
        claims.recordStatement(claims: requests.count, duration: ContinuousClock.now - start)
        batch.record(claimed: claimed)
        if let parameters = batch.readParameters() {
            batch.record(earlier: try database.query(ClaimBatch.readSQL, parameters))
        }
        return batch
    }
}
