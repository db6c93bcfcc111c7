/// A PostgreSQL or libpq error with its SQLSTATE, the server's (or libpq's) message, and what the caller
/// should do about it.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What a failed operation means for the caller.
    public enum Classification: String, Sendable {
        /// Nothing was applied; retrying the whole transaction later can succeed (connection exceptions,
        /// serialization failures, deadlocks, server shutdown, too many connections, lock or statement timeouts).
        case transient
        /// Retrying the same input fails the same way (bad data, constraint violations, SQL errors).
        case permanent
        /// The connection failed while COMMIT was in flight: the transaction may or may not have been applied.
        /// Only an idempotent retry (or reading back) is safe.
        case ambiguous
    }

    /// Five-character SQLSTATE, or nil for client-side failures (connection refused, connection lost).
    public let sqlState: String?
    public let message: String
    public let detail: String?
    /// The constraint the server named (`PG_DIAG_CONSTRAINT_NAME`), for integrity violations.
    public let constraint: String?
    /// What was being done: `connect`, `query`, `prepare`, `commit`...
    public let operation: String
    public let classification: Classification

    public init(sqlState: String?, message: String, detail: String? = nil, constraint: String? = nil, operation: String,
                classification: Classification) {
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.operation = operation
        self.classification = classification
    }

    public var description: String {
        "\(operation): \(classification.rawValue) error\(sqlState.map { " \($0)" } ?? ""): \(message)"
            + (detail.map { " (\($0))" } ?? "")
    }

    /// Classifies an error. `connectionLost` means libpq reports the connection as bad after the call;
    /// `duringCommit` means the failed statement was COMMIT.
    public static func classify(sqlState: String?, connectionLost: Bool, duringCommit: Bool) -> Classification {
        let connectionFailure = connectionLost || sqlState.map(isConnectionFailure) ?? true
        if duringCommit && connectionFailure { return .ambiguous }
        guard let sqlState else { return .transient }
        if isConnectionFailure(sqlState) || transientStates.contains(sqlState) || sqlState.hasPrefix("53") {
            return .transient
        }
        return .permanent
    }

    /// Class 08 (connection exception) and the shutdown states: the session is gone.
    private static func isConnectionFailure(_ sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// serialization_failure, deadlock_detected, lock_not_available, query_canceled (statement timeout),
    /// idle_in_transaction_session_timeout.
    private static let transientStates: Set<String> = ["40001", "40P01", "55P03", "57014", "25P03"]
}
