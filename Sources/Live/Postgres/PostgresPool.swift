/// A fixed set of connections lent to one task at a time, for servers that run many requests at once.
/// A connection that comes back broken is reconnected (with backoff) before it is lent again.
public actor PostgresPool {
    private var idle: [PostgresConnection]
    private var waiters: [CheckedContinuation<PostgresConnection, Never>] = []
    public nonisolated let size: Int

    private init(connections: [PostgresConnection]) {
        self.idle = connections
        self.size = connections.count
    }

    /// Opens `size` connections.
    public static func connect(_ config: PostgresConfig, size: Int) async throws(PostgresError) -> PostgresPool {
        var connections: [PostgresConnection] = []
        for _ in 0..<max(1, size) {
            connections.append(try await PostgresConnection.connect(config))
        }
        return PostgresPool(connections: connections)
    }

    /// Lends a connection to `body` for its whole duration (e.g. one transaction).
    public nonisolated func withConnection<T: Sendable>(
        _ body: (PostgresConnection) async throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        let connection = await checkOut()
        do {
            if !(await connection.isConnected()) { try await connection.reconnect() }
            let value = try await body(connection)
            await checkIn(connection)
            return value
        } catch {
            await connection.rollbackIfInTransaction()
            await checkIn(connection)
            throw error
        }
    }

    private func checkOut() async -> PostgresConnection {
        if let connection = idle.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func checkIn(_ connection: PostgresConnection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }
}
