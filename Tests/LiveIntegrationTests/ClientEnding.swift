import Foundation
@testable import LivePostgres
import Testing

/// How a statement's client ends while the statement waits on a lock.
enum ClientEnding: String, CustomTestStringConvertible, Sendable {
    /// `pg_terminate_backend` from another session: the server process ends and takes its transaction.
    case backendTerminated
    /// The client process dies (its socket is shut down, as the kernel does for a killed process): the server
    /// process is left running the statement.
    case clientDies

    var testDescription: String { rawValue }

    /// Runs `send`, whose statement on `client` waits for a lock `blocker` holds (the caller takes it first), ends
    /// the client as this case says once `observer` sees it waiting (`waiting` names that wait), then lets the
    /// statement go on (`blocker` rolls back) and waits until the client's server process is gone. Returns what
    /// `send` returned.
    func end<Outcome: Sendable>(
        _ client: PostgresConnection, waitingOn blocker: PostgresConnection, observer: PostgresConnection,
        _ waiting: String, send: @escaping @Sendable () async -> Outcome
    ) async throws -> Outcome {
        let blockerPID = await blocker.backendPID()
        let pid = await client.backendPID()
        let socket = await client.socketDescriptor()
        let sent = Task { await send() }
        try await observer.waitUntilLockWait(of: pid, waiting) { $0.blockedBy == [blockerPID] }
        switch self {
        case .backendTerminated: try await observer.query("SELECT pg_terminate_backend($1)", [.int32(pid)])
        case .clientDies: #expect(shutdown(socket, Int32(SHUT_RDWR)) == 0)
        }
        let seen = await sent.value
        try await blocker.rollback()
        try await eventually(10, "the waiting statement's server process has ended") { try await observer.activity(of: pid) == nil }
        return seen
    }
}
