import Foundation
import LiveAPIKeys
import LivePostgres
import Synchronization

/// Who sent a request: the key's id and what it may do.
struct Principal: Sendable, Equatable {
    let keyID: String
    let scope: APIKeyScope
    let ratePerSecond: Int
    let burst: Int
}

/// Checks `Authorization: Bearer <API key>` against `api_keys`. Answers are cached per key text for `cacheTTL`
/// (a revocation takes effect within that time on every replica) so that requests do not reach PostgreSQL;
/// rejections are cached too, so a client repeating a bad key costs one query per TTL. The cache holds at most
/// `maxEntries` keys and is emptied when full. While PostgreSQL is unreachable, a key verified less than
/// `staleLimit` ago is still accepted; anything else is a 503.
final class APIKeyVerifier: Sendable {
    private struct Entry {
        var answer: Result<Principal, APIError>
        var verifiedAt: ContinuousClock.Instant
    }

    private let pool: PostgresPool
    private let cacheTTL: Duration
    private let staleLimit: Duration
    private let maxEntries: Int
    private let cache = Mutex<[String: Entry]>([:])

    static let lookupSQL = """
        SELECT array_to_json(accounts)::text AS accounts, rate_per_second, burst, revoked_at IS NOT NULL AS revoked,
               secret_sha256 = encode(sha256(convert_to($2, 'UTF8')), 'hex') AS matches
        FROM api_keys WHERE key_id = $1
        """

    init(pool: PostgresPool, cacheTTL: Duration, staleLimit: Duration = .seconds(60), maxEntries: Int = 10_000) {
        self.pool = pool
        self.cacheTTL = cacheTTL
        self.staleLimit = staleLimit
        self.maxEntries = maxEntries
    }

    func principal(authorization: String?) async throws(APIError) -> Principal {
        guard let authorization else { throw .missingCredentials }
        let now = ContinuousClock.now
        let cached = cache.withLock { $0[authorization] }
        if let cached, now - cached.verifiedAt < cacheTTL { return try cached.answer.get() }
        guard let token = APIKeyToken.fromAuthorization(authorization) else {
            remember(authorization, .failure(.malformedCredentials), at: now)
            throw .malformedCredentials
        }
        let answer: Result<Principal, APIError>
        do {
            answer = try await lookup(token)
        } catch {
            if let cached, case .success(let principal) = cached.answer, now - cached.verifiedAt < staleLimit { return principal }
            throw .unavailable("cannot verify the API key: database unavailable")
        }
        remember(authorization, answer, at: now)
        return try answer.get()
    }

    private func lookup(_ token: APIKeyToken) async throws(PostgresError) -> Result<Principal, APIError> {
        let rows = try await pool.withConnection { (conn: PostgresConnection) throws(PostgresError) in
            try await conn.query(Self.lookupSQL, [.text(token.keyID), .text(token.secret)])
        }
        guard rows.count == 1, rows.bool(0, "matches") == true else { return .failure(.unknownCredentials) }
        if rows.bool(0, "revoked") == true { return .failure(.revokedCredentials) }
        let accounts = rows.value(0, "accounts").flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
        return .success(Principal(
            keyID: token.keyID, scope: APIKeyScope(accounts ?? []),
            ratePerSecond: Int(rows.int64(0, "rate_per_second") ?? 1), burst: Int(rows.int64(0, "burst") ?? 1)))
    }

    private func remember(_ authorization: String, _ answer: Result<Principal, APIError>, at now: ContinuousClock.Instant) {
        cache.withLock { cache in
            if cache.count >= maxEntries { cache.removeAll(keepingCapacity: true) }
            cache[authorization] = Entry(answer: answer, verifiedAt: now)
        }
    }
}
