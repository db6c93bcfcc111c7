import Foundation
public import LivePostgres

/// `api keys create|list|revoke`: the only writer of `api_keys`. Runs as the schema's owner (the api's own role
/// may only read the table, db/grants.sql), from a command line, never from the serving process.
public struct APIKeyAdmin: Sendable {
    public struct Listed: Sendable, Equatable {
        public var keyID: String
        public var name: String
        public var accounts: [String]
        public var ratePerSecond: Int
        public var burst: Int
        public var createdAt: String
        public var revokedAt: String?
    }

    public enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        case notFound(String)
        case database(PostgresError)

        public var description: String {
            switch self {
            case .invalid(let reason): reason
            case .notFound(let keyID): "no API key \(keyID)"
            case .database(let error): "database: \(error.message)"
            }
        }
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Stores a new key and returns it: the only time its secret exists outside the client.
    public func create(name: String, accounts: [String], ratePerSecond: Int, burst: Int) async throws(Failure) -> APIKeyToken {
        guard !name.isEmpty else { throw .invalid("--name must not be empty") }
        guard !accounts.isEmpty else { throw .invalid("at least one --account is needed ('*' for every account)") }
        if let problem = accounts.lazy.compactMap(APIKeyScope.problem(with:)).first { throw .invalid(problem) }
        guard ratePerSecond > 0, burst > 0 else { throw .invalid("--rate-per-second and --burst must be positive") }
        let token = APIKeyToken.generate()
        let json = try? JSONSerialization.data(withJSONObject: accounts)
        do {
            try await connection.query("""
                INSERT INTO api_keys (key_id, secret_sha256, name, accounts, rate_per_second, burst)
                SELECT $1, encode(sha256(convert_to($2, 'UTF8')), 'hex'), $3,
                       ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5::int, $6::int
                """, [.text(token.keyID), .text(token.secret), .text(name), .text(String(decoding: json ?? Data(), as: UTF8.self)),
                      .int32(Int32(clamping: ratePerSecond)), .int32(Int32(clamping: burst))])
        } catch {
            throw .database(error)
        }
        return token
    }

    public func list() async throws(Failure) -> [Listed] {
        let rows: PostgresRows
        do {
            rows = try await connection.query("""
                SELECT key_id, name, array_to_json(accounts)::text AS accounts, rate_per_second, burst,
                       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
                       to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS revoked_at
                FROM api_keys ORDER BY created_at, key_id
                """)
        } catch {
            throw .database(error)
        }
        return (0..<rows.count).map { row in
            let accounts = rows.value(row, "accounts").flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
            return Listed(
                keyID: rows.value(row, "key_id") ?? "", name: rows.value(row, "name") ?? "", accounts: accounts ?? [],
                ratePerSecond: Int(rows.int64(row, "rate_per_second") ?? 0), burst: Int(rows.int64(row, "burst") ?? 0),
                createdAt: rows.value(row, "created_at") ?? "", revokedAt: rows.value(row, "revoked_at"))
        }
    }

    /// Marks the key revoked (kept for the record). Api replicas stop accepting it within their cache's lifetime.
    public func revoke(keyID: String) async throws(Failure) {
        let rows: PostgresRows
        do {
            rows = try await connection.query(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING key_id", [.text(keyID)])
        } catch {
            throw .database(error)
        }
        guard rows.count == 1 else { throw .notFound(keyID) }
    }
}
