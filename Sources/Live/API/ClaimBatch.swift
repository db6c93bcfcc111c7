import LivePostgres

/// One batch of `Idempotency-Key` claims: its two statements' parameters and what each request gets back.
///
/// The claim statement inserts the first request of each key in the batch (`ON CONFLICT DO NOTHING` waits for
/// a concurrent uncommitted claim of the same key, on any replica, and skips the key if that one commits).
/// Every request that did not claim its key, a later one of the same batch included, reads the committed claim
/// and compares request hashes, so a retry is told apart from a reuse with another body.
struct ClaimBatch: Sendable {
    static let claimSQL = """
        INSERT INTO idempotency_keys (idempotency_key, request_hash, event_id)
        SELECT claim.claim_key, encode(sha256(convert_to(claim.canonical, 'UTF8')), 'hex'), claim.event_id
        FROM unnest($1::text[], $2::text[], $3::uuid[]) AS claim(claim_key, canonical, event_id)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING idempotency_key, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
        """
    static let readSQL = """
        SELECT asked.position, stored.event_id::text AS event_id,
               (extract(epoch FROM stored.created_at) * 1000)::bigint AS created_ms,
               stored.request_hash = encode(sha256(convert_to(asked.canonical, 'UTF8')), 'hex') AS same
        FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS asked(claim_key, canonical, position)
        JOIN idempotency_keys AS stored ON stored.idempotency_key = asked.claim_key
        """

    private struct Stored: Sendable {
        var eventID: String
        var createdMilliseconds: Int64
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
        return [
            .text(PostgresArrayLiteral.strings(readers.map { requests[$0].key })),
            .text(PostgresArrayLiteral.strings(readers.map { requests[$0].canonical })),
        ]
    }

    mutating func record(earlier rows: PostgresRows) {
        for row in 0..<rows.count {
            guard let position = rows.int64(row, "position"), (1...Int64(readers.count)).contains(position),
                  let eventID = rows.value(row, "event_id"), let created = rows.int64(row, "created_ms")
            else { continue }
            earlier[readers[Int(position) - 1]] = Stored(
                eventID: eventID, createdMilliseconds: created, sameRequest: rows.bool(row, "same") == true)
        }
    }

    func outcomes() -> [Result<IdempotencyClaims.Outcome, APIError>] {
        requests.indices.map { index in
            let request = requests[index]
            if first[request.key] == index, let created = claimedAt[request.key] {
                return .success(.claimed(eventID: request.eventID, occurredAtMilliseconds: created))
            }
            guard let stored = earlier[index] else {
                // The key's claim was neither inserted nor found: it was deleted between the two statements.
                return .failure(.unavailable("idempotency key vanished while reading it; retry"))
            }
            return .success(stored.sameRequest
                ? .earlier(eventID: stored.eventID, occurredAtMilliseconds: stored.createdMilliseconds)
                : .conflict)
        }
    }
}
