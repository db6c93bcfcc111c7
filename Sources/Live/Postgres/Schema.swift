/// The database schema (db/schema.sql) and its idempotent application.
public enum Schema {
    /// The exact bytes of db/schema.sql, embedded at build time (SwiftPM `.embedInCode`).
    public static let sql = String(decoding: PackageResources.schema_sql, as: UTF8.self)

    /// Serialises concurrent migrations (several workers starting at once): `CREATE TABLE IF NOT EXISTS`
    /// alone can still race on the catalog. An arbitrary constant key ("rsafe" in ASCII).
    static let advisoryLockKey: Int64 = 0x72_73_61_66_65

    /// Applies the schema in one transaction under an advisory lock. Every statement is `IF NOT EXISTS`,
    /// so running it again changes nothing. A role that may not create tables in its schema (the least-privilege
    /// `api` and `worker` roles of db/grants.sql) leaves the schema to its owner and changes nothing.
    public static func migrate(_ connection: PostgresConnection) async throws(PostgresError) {
        let owner = try await connection.query("SELECT has_schema_privilege(current_schema(), 'CREATE') AS can_create")
        guard owner.bool(0, "can_create") == true else { return }
        try await connection.transaction { (conn: PostgresConnection) throws(PostgresError) in
            try await conn.query("SELECT pg_advisory_xact_lock($1)", [.int64(advisoryLockKey)])
            try await conn.simpleQuery(sql)
        }
    }
}
