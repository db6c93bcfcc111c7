/// The database schema (db/schema.sql) and its idempotent application.
public enum Schema {
    /// Serialises concurrent migrations (several workers starting at once): `CREATE TABLE IF NOT EXISTS`
    /// alone can still race on the catalog. An arbitrary constant key ("rsafe" in ASCII).
    static let advisoryLockKey: Int64 = 0x72_73_61_66_65

    /// Applies the schema in one transaction under an advisory lock. Every statement is `IF NOT EXISTS`,
    /// so running it again changes nothing.
    public static func migrate(_ connection: PostgresConnection) async throws(PostgresError) {
        try await connection.transaction { (conn: PostgresConnection) throws(PostgresError) in
            try await conn.query("SELECT pg_advisory_xact_lock($1)", [.int64(advisoryLockKey)])
            try await conn.simpleQuery(sql)
        }
    }
}
