@testable import LiveAPI
import LivePostgres

/// Two api replicas' claim writers on one fresh, migrated database: two writers with small batches on one, one
/// large batch at a time on the other, so claims repeat inside a batch and race across batches and connections.
struct ClaimReplicas {
    let database: (name: String, url: String)
    let replicas: [IdempotencyClaims]

    static func make(smallBatch: Int) async throws -> ClaimReplicas {
        let database = try await TestDatabase.makeDatabase()
        try await TestDatabase.migrateAndGrant(database.url)
        let config = TestDatabase.config(TestDatabase.url(database.url, role: "api"))
        return ClaimReplicas(database: database, replicas: [
            IdempotencyClaims(pool: try await PostgresPool.connect(config, size: 2), writers: 2, maxBatch: smallBatch),
            IdempotencyClaims(pool: try await PostgresPool.connect(config, size: 1), writers: 1, maxBatch: 512),
        ])
    }
}
