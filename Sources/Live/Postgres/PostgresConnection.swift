import CLibPQ
import Foundation
import LiveBlocking

/// One libpq connection (`PGconn`), used by one task at a time.
///
/// Every libpq call runs on the connection's own `BlockingExecutor` thread, so a slow query never blocks
/// Swift's cooperative pool and calls are serialised as libpq requires. Interleaving two tasks' transactions
/// on one connection is a caller bug: hold a connection for a whole transaction (see `PostgresPool`).
public final class PostgresConnection: @unchecked Sendable {
    // Safe: `handle`, `statements` and `preparedInSession` are only used on `executor`'s thread.
    var handle: OpaquePointer
    let executor: BlockingExecutor
    var statements: [String: String] = [:]
    var preparedInSession: Set<String> = []
    public let config: PostgresConfig
    /// Jitter source for the reconnect backoff, in [0, 1); injectable for tests.
    let random: @Sendable () -> Double

    private init(handle: OpaquePointer, executor: BlockingExecutor, config: PostgresConfig, random: @escaping @Sendable () -> Double) {
        self.handle = handle
        self.executor = executor
        self.config = config
        self.random = random
    }

    deinit {
        let handle = SendablePGconn(handle)
        executor.submit { PQfinish(handle.pointer) }
        executor.shutdown()
    }

    /// Connects, retrying with `config.reconnect` backoff while the failure is transient.
    public static func connect(
        _ config: PostgresConfig, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) async throws(PostgresError) -> PostgresConnection {
        let executor = BlockingExecutor(name: "postgres")
        var attempt = 0
        while true {
            let outcome: Result<SendablePGconn, PostgresError> = await executor.run { Self.open(config) }
            switch outcome {
            case .success(let handle):
                return PostgresConnection(handle: handle.pointer, executor: executor, config: config, random: random)
            case .failure(let error):
                if let max = config.reconnect.maxAttempts, attempt + 1 >= max {
                    executor.shutdown()
                    throw error
                }
                try? await Task.sleep(for: config.reconnect.delay(attempt: attempt, unit: random()))
                attempt += 1
            }
        }
    }

    private static func open(_ config: PostgresConfig) -> Result<SendablePGconn, PostgresError> {
        let keywords = ["dbname", "application_name", "connect_timeout"]
        let values = [config.url, config.applicationName, String(max(1, config.connectTimeout.components.seconds))]
        let conn = withCStrings(keywords) { k in withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let conn else {
            return .failure(PostgresError(sqlState: nil, message: "out of memory", operation: "connect", classification: .transient))
        }
        if PQstatus(conn) != CONNECTION_OK {
            let message = connectionMessage(conn)
            PQfinish(conn)
            return .failure(PostgresError(sqlState: nil, message: message, operation: "connect", classification: .transient))
        }
        return .success(SendablePGconn(conn))
    }

    /// The server process serving this connection (`pg_backend_pid()`).
    public func backendPID() async -> Int32 {
        await executor.run { PQbackendPID(self.handle) }
    }

    /// Whether libpq still considers the connection usable (no network round trip).
    public func isConnected() async -> Bool {
        await executor.run { PQstatus(self.handle) == CONNECTION_OK }
    }

    /// Re-establishes a broken connection with backoff (`config.reconnect`), then re-prepares statements.
    public func reconnect() async throws(PostgresError) {
        var attempt = 0
        while true {
            let ok = await executor.run { () -> Bool in
                PQreset(self.handle)
                self.preparedInSession.removeAll()
                return PQstatus(self.handle) == CONNECTION_OK
            }
            if ok { return }
            if let max = config.reconnect.maxAttempts, attempt + 1 >= max {
                let message = await executor.run { connectionMessage(self.handle) }
                throw PostgresError(sqlState: nil, message: message, operation: "reconnect", classification: .transient)
            }
            try? await Task.sleep(for: config.reconnect.delay(attempt: attempt, unit: random()))
            attempt += 1
        }
    }
}

/// Carries a `PGconn` into a job for the executor thread that owns it.
struct SendablePGconn: @unchecked Sendable {
    // Safe: the pointer is only dereferenced by libpq on the owning connection's executor thread.
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// libpq's last error text for `conn`, trimmed.
func connectionMessage(_ conn: OpaquePointer) -> String {
    guard let raw = PQerrorMessage(conn) else { return "unknown libpq error" }
    let text = String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "connection failed" : text
}

/// Calls `body` with a NULL-terminated C array of C strings (what libpq's `*Params` functions take).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
