import LivePostgres

/// `Idempotency-Key` handling across api replicas, in the `idempotency_keys` table.
///
/// The claim is an `INSERT ... ON CONFLICT DO NOTHING` inside a transaction that stays open until the broker
/// acknowledged the event. A concurrent request with the same key blocks on that uncommitted row (any
/// replica, same database) and then sees the committed claim, so it answers with the same `event_id` and
/// produces nothing. If producing fails the transaction rolls back: the key is not left claimed and a waiting
/// duplicate claims it itself. Known gap: if COMMIT fails after the broker acknowledged (the database died in
/// that instant), the event exists but the key does not; a retry produces a second event with a new id
/// unless the client sent `event_id` (the worker deduplicates on it in `after` mode).
struct IdempotencyStore: Sendable {
    enum Outcome: Sendable, Equatable {
        /// This request claimed the key and its event was acknowledged.
        case accepted(eventID: String)
        /// An earlier request with the same key and body was accepted with this event id.
        case replay(eventID: String)
        /// The key was used with a different body.
        case conflict
    }

    let pool: PostgresPool

    static let claimSQL = """
        INSERT INTO idempotency_keys (idempotency_key, request_hash, event_id)
        VALUES ($1, encode(sha256(convert_to($2, 'UTF8')), 'hex'), $3::uuid)
        ON CONFLICT (idempotency_key) DO NOTHING RETURNING event_id
        """
    static let readSQL = """
        SELECT event_id::text AS event_id, request_hash = encode(sha256(convert_to($2, 'UTF8')), 'hex') AS same
        FROM idempotency_keys WHERE idempotency_key = $1
        """

    /// Claims `key` for `eventID` and runs `produce` while holding the claim; or reports the earlier outcome.
    func run(
        key: String, canonicalRequest: String, eventID: String,
        produce: @Sendable () async throws(APIError) -> Void
    ) async throws(APIError) -> Outcome {
        do {
            return try await pool.withConnection { (conn: PostgresConnection) throws(PostgresError) -> Result<Outcome, APIError> in
                try await conn.begin()
                let claimed = try await conn.query(Self.claimSQL, [.text(key), .text(canonicalRequest), .text(eventID)])
                if claimed.count == 1 {
                    if let error = await failure(of: produce) {
                        try? await conn.rollback()
                        return .failure(error)
                    }
                    try await conn.commit()
                    return .success(.accepted(eventID: eventID))
                }
                let earlier = try await conn.query(Self.readSQL, [.text(key), .text(canonicalRequest)])
                try await conn.commit()
                guard let earlierID = earlier.value(0, "event_id") else {
                    return .failure(.unavailable("idempotency key vanished while reading it; retry"))
                }
                return .success(earlier.bool(0, "same") == true ? .replay(eventID: earlierID) : .conflict)
            }.get()
        } catch let error as APIError {
            throw error
        } catch {
            throw .unavailable("database unavailable: \(error)")
        }
    }
}

/// Runs `body` and returns its error, if any (typed throws do not mix with `Result(catching:)` for async code).
private func failure(of body: @Sendable () async throws(APIError) -> Void) async -> APIError? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}
