import LivePostgres

/// One batch of `Idempotency-Key` claims: its two statements' parameters and what each request gets back.
///
/// A claim is of a key within a scope (the API key that sent it, `ClaimScope`). The claim statement inserts the
/// first request of each scoped key in the batch. `ON CONFLICT DO NOTHING` covers both unique indexes: a key
/// claimed already in its scope, and an `event_id` claimed already under another key. It waits for a concurrent
/// uncommitted claim of the same key or id, on any replica, and skips the request if that one commits. Rows go in
/// (scope, key) order, so two batches retrying the same keys wait on each other in one order and never deadlock.
/// On a database that kept claims from before keys were scoped (scope ''), the statement also skips a key claimed
/// there, which any client's retry then finds. Every request that did not claim its key reads the committed claim
/// of its key or, failing that, of the event id its body names, and compares request hashes: a retry is told
/// apart from a reuse of the key with another body, and the same event sent under another key from a conflicting
/// reuse of its id.
struct ClaimBatch: Sendable {
    /// A key as claimed: the client's scope and the header's text.
    struct ScopedKey: Hashable, Sendable {
        var scope: String
        var key: String
    }

    static let claimSQL = makeClaimSQL(unscopedClaims: false)
    static let claimSQLWithUnscoped = makeClaimSQL(unscopedClaims: true)

    private static func makeClaimSQL(unscopedClaims: Bool) -> String {
        let unscoped = unscopedClaims ? """

            WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys AS unscoped
                              WHERE unscoped.key_scope = '' AND unscoped.idempotency_key = claim.claim_key)
            """ : ""
        return """
            INSERT INTO idempotency_keys (key_scope, idempotency_key, request_hash, event_id)
            SELECT claim.scope, claim.claim_key, encode(sha256(convert_to(claim.canonical, 'UTF8')), 'hex'), claim.event_id
            FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[]) AS claim(scope, claim_key, canonical, event_id)\(unscoped)
            ORDER BY claim.scope, claim.claim_key
            ON CONFLICT DO NOTHING
            RETURNING key_scope, idempotency_key, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
            """
    }

    /// Whether the database holds claims made before keys were scoped: only then does the claim statement look
    /// for them (one more index probe per claim). None can appear later: an insert without a scope fails.
    static let unscopedClaimsSQL = "SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE key_scope = '') AS unscoped"

    /// The claim of the asked key (in its scope, else an unscoped one), else the claim of the body's event id (only
    /// when the body names one). Under the key, the same request is the same hash; under another key, the same
    /// event is the hash of the body as sent or of the body without its id (a claim made without an id, whose
    /// drawn id the client then sent).
    static let readSQL = """
        SELECT asked.position, stored.event_id::text AS event_id, stored.same_key,
               (extract(epoch FROM stored.created_at) * 1000)::bigint AS created_ms,
               stored.request_hash = encode(sha256(convert_to(asked.canonical, 'UTF8')), 'hex')
                 OR (NOT stored.same_key
                     AND stored.request_hash = encode(sha256(convert_to(asked.unnamed, 'UTF8')), 'hex')) AS same
        FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[])
             WITH ORDINALITY AS asked(scope, claim_key, canonical, event_id, unnamed, position)
        CROSS JOIN LATERAL (
            SELECT by_key.event_id, by_key.created_at, by_key.request_hash, true AS same_key, by_key.key_scope <> '' AS scoped
            FROM idempotency_keys AS by_key
            WHERE by_key.key_scope IN (asked.scope, '') AND by_key.idempotency_key = asked.claim_key
            UNION ALL
            SELECT by_id.event_id, by_id.created_at, by_id.request_hash, false, true
            FROM idempotency_keys AS by_id WHERE asked.unnamed IS NOT NULL AND by_id.event_id = asked.event_id
            ORDER BY same_key DESC, scoped DESC LIMIT 1
        ) AS stored
        """

    private struct Stored: Sendable {
        var eventID: String
        var createdMilliseconds: Int64
        var sameKey: Bool
        var sameRequest: Bool
    }

    private let requests: [IdempotencyClaims.Request]
    /// The index of each scoped key's first request: the one the claim statement inserts.
    private let first: [ScopedKey: Int]
    private var claimedAt: [ScopedKey: Int64] = [:]
    /// Requests that read an earlier claim, in the order of the read's parameters.
    private var readers: [Int] = []
    private var earlier: [Int: Stored] = [:]

    init(_ requests: [IdempotencyClaims.Request]) {
        self.requests = requests
        var first: [ScopedKey: Int] = [:]
        for (index, request) in requests.enumerated() where first[request.scopedKey] == nil { first[request.scopedKey] = index }
        self.first = first
    }

    private var inserted: [IdempotencyClaims.Request] {
        requests.indices.filter { first[requests[$0].scopedKey] == $0 }.map { requests[$0] }
    }

    func claimParameters() -> [PostgresValue] {
        let claims = inserted
        return [
            .text(PostgresArrayLiteral.strings(claims.map(\.scope))),
            .text(PostgresArrayLiteral.strings(claims.map(\.key))),
            .text(PostgresArrayLiteral.strings(claims.map(\.canonical))),
            .text(PostgresArrayLiteral.strings(claims.map(\.eventID))),
        ]
    }

    mutating func record(claimed rows: PostgresRows) {
        for row in 0..<rows.count {
            guard let scope = rows.value(row, "key_scope"), let key = rows.value(row, "idempotency_key"),
                  let created = rows.int64(row, "created_ms")
            else { continue }
            claimedAt[ScopedKey(scope: scope, key: key)] = created
        }
        readers = requests.indices.filter {
            let scoped = requests[$0].scopedKey
            return first[scoped] != $0 || claimedAt[scoped] == nil
        }
    }

    /// The read's parameters, or nil when every request claimed its key.
    func readParameters() -> [PostgresValue]? {
        guard !readers.isEmpty else { return nil }
        let asked = readers.map { requests[$0] }
        return [
            .text(PostgresArrayLiteral.strings(asked.map(\.scope))),
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
            if first[request.scopedKey] == index, let created = claimedAt[request.scopedKey] {
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
