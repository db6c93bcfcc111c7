import LivePostgres

/// One batch of `Idempotency-Key` claims: its two statements' parameters and what each request gets back.
///
/// The claim statement inserts the first request of each key in the batch. `ON CONFLICT DO NOTHING` covers both
/// unique indexes: a key claimed already, and an `event_id` claimed already under another key. It waits for a
/// concurrent uncommitted claim of the same key or id, on any replica, and skips the request if that one commits.
/// Rows go in key order, so two batches retrying the same keys wait on each other in one order and never deadlock.
/// Every request that did not claim its key reads the committed claim of its key or, failing that, of the event
/// id its body names, and compares request hashes: a retry is told apart from a reuse of the key with another
/// body, and the same event sent under another key from a conflicting reuse of its id.
struct ClaimBatch: Sendable {
    static let claimSQL = """
        INSERT INTO idempotency_keys (idempotency_key, request_hash, event_id)
        SELECT claim.claim_key, encode(sha256(convert_to(claim.canonical, 'UTF8')), 'hex'), claim.event_id
        FROM unnest($1::text[], $2::text[], $3::uuid[]) AS claim(claim_key, canonical, event_id)
        ORDER BY claim.claim_key
        ON CONFLICT DO NOTHING
        RETURNING idempotency_key, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
        """
    /// The claim of the asked key, else the claim of the body's event id (only when the body names one). Under
    /// the key, the same request is the same hash; under another key, the same event is the hash of the body as
    /// sent or of the body without its id (a claim made without an id, whose drawn id the client then sent).
    static let readSQL = """
        SELECT asked.position, stored.event_id::text AS event_id, stored.same_key,
               (extract(epoch FROM stored.created_at) * 1000)::bigint AS created_ms,
               stored.request_hash = encode(sha256(convert_to(asked.canonical, 'UTF8')), 'hex')
                 OR (NOT stored.same_key
                     AND stored.request_hash = encode(sha256(convert_to(asked.unnamed, 'UTF8')), 'hex')) AS same
        FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[])
             WITH ORDINALITY AS asked(claim_key, canonical, event_id, unnamed, position)
        CROSS JOIN LATERAL (
            SELECT by_key.event_id, by_key.created_at, by_key.request_hash, true AS same_key
            FROM idempotency_keys AS by_key WHERE by_key.idempotency_key = asked.claim_key
            UNION ALL
            SELECT by_id.event_id, by_id.created_at, by_id.request_hash, false
            FROM idempotency_keys AS by_id WHERE asked.unnamed IS NOT NULL AND by_id.event_id = asked.event_id
            ORDER BY same_key DESC LIMIT 1
        ) AS stored
        """

    private struct Stored: Sendable {
        var eventID: String
        var createdMilliseconds: Int64
        var sameKey: Bool
        var sameRequest: Bool
    }

    private let requests: [IdempotencyClaims.Request]
    /// The index of each key's first request: the one the claim statement inserts.
    private let first: [String: Int]
    private var claimedAt: [String: Int64] = [:]
    /// Requests that read an earlier claim, in the order of the read's parameters.
    private var readers: [Int] = []
    private var earlier: [Int: Stored] = [:]

    init(_ requests: [IdempotencyClaims.Request]) {
        self.requests = requests
        var first: [String: Int] = [:]
        for (index, request) in requests.enumerated() where first[request.key] == nil { first[request.key] = index }
        self.first = first
    }

    private var inserted: [IdempotencyClaims.Request] {
        requests.indices.filter { first[requests[$0].key] == $0 }.map { requests[$0] }
    }

    func claimParameters() -> [PostgresValue] {
        let claims = inserted
        return [
            .text(PostgresArrayLiteral.strings(claims.map(\.key))),
            .text(PostgresArrayLiteral.strings(claims.map(\.canonical))),
            .text(PostgresArrayLiteral.strings(claims.map(\.eventID))),
        ]
    }

    mutating func record(claimed rows: PostgresRows) {
        for row in 0..<rows.count {
            guard let key = rows.value(row, "idempotency_key"), let created = rows.int64(row, "created_ms") else { continue }
            claimedAt[key] = created
        }
        readers = requests.indices.filter { first[requests[$0].key] != $0 || claimedAt[requests[$0].key] == nil }
    }

    /// The read's parameters, or nil when every request claimed its key.
    func readParameters() -> [PostgresValue]? {
        guard !readers.isEmpty else { return nil }
        let asked = readers.map { requests[$0] }
        return [
            .text(PostgresArrayLiteral.strings(asked.map(\.key))),
            .text(PostgresArrayLiteral.strings(asked.map(\.canonical))),
            .text(PostgresArrayLiteral.strings(asked.map(\.eventID))),
            .text(PostgresArrayLiteral.optionalStrings(asked.map(\.unnamedCanonical))),
        ]
    }

    mutating func record(earlier rows: PostgresRows) {
        for row in 0..<rows.count {
            guard let position = rows.int64(row, "position"), (1...Int64(readers.count)).contains(position),
                  let eventID = rows.value(row, "event_id"), let created = rows.int64(row, "created_ms")
            else { continue }
            earlier[readers[Int(position) - 1]] = Stored(
                eventID: eventID, createdMilliseconds: created, sameKey: rows.bool(row, "same_key") == true,
                sameRequest: rows.bool(row, "same") == true)
        }
    }

    func outcomes() -> [Result<IdempotencyClaims.Outcome, APIError>] {
        requests.indices.map { index in
            let request = requests[index]
            if first[request.key] == index, let created = claimedAt[request.key] {
                return .success(.claimed(eventID: request.eventID, occurredAtMilliseconds: created))
            }
            guard let stored = earlier[index] else {
                // Neither the key's claim nor the id's was found: deleted between the two statements, or a drawn
                // id met a claimed one (2^-122).
                return .failure(.unavailable("idempotency claim vanished while reading it; retry"))
            }
            switch (stored.sameKey, stored.sameRequest) {
            case (true, true): return .success(.earlier(eventID: stored.eventID, occurredAtMilliseconds: stored.createdMilliseconds))
            case (true, false): return .success(.keyReused)
            case (false, true): return .success(.sameEvent(eventID: stored.eventID, occurredAtMilliseconds: stored.createdMilliseconds))
            case (false, false): return .success(.eventIDConflict(eventID: stored.eventID))
            }
        }
    }
}
