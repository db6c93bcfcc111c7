import LivePostgres
import Synchronization

/// `Idempotency-Key` claims in the `idempotency_keys` table, written in batches (group commit).
///
/// A claim commits before its event is produced, and it fixes the event: the id (the body's `event_id`, or one
/// drawn for the first request) and `occurred_at` (the claim's `created_at`). An event can therefore reach Kafka
/// only with its key committed, and whatever fails after the claim (the api killed, the broker acknowledging late
/// or never), the client's retry finds the claim and produces the same event again, which the `after` worker
/// applies once. A different body under the same key is a conflict (422). No connection is held while the
/// broker works.
///
/// Requests queue here; each of `writers` tasks takes everything queued (up to `maxBatch`) and writes it as one
/// autocommit statement on a pooled connection, so a burst of keyed requests costs a few commits (and WAL
/// flushes) instead of one each.
final class IdempotencyClaims: Sendable {
    struct Request: Sendable {
        var key: String
        /// `EventRequest.canonical`, hashed into `request_hash`.
        var canonical: String
        /// The id the event gets if this request claims the key.
        var eventID: String
    }

    enum Outcome: Sendable, Equatable {
        /// This request claimed the key: produce the event with this id and time.
        case claimed(eventID: String, occurredAtMilliseconds: Int64)
        /// An earlier request with the same body claimed it: produce its event (again).
        case earlier(eventID: String, occurredAtMilliseconds: Int64)
        /// The key was claimed with a different body.
        case conflict
    }

    private struct Waiting {
        let request: Request
        let continuation: UnsafeContinuation<Result<Outcome, APIError>, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var idleWriters: Int
    }

    private let pool: PostgresPool
    private let state: Mutex<State>
    private let maxBatch: Int

    /// `writers` bounds the claim statements in flight (each holds one pooled connection while it runs).
    init(pool: PostgresPool, writers: Int = 2, maxBatch: Int = 512) {
        precondition(writers > 0 && maxBatch > 0, "IdempotencyClaims needs a writer and a batch of at least one")
        self.pool = pool
        self.state = Mutex(State(idleWriters: writers))
        self.maxBatch = maxBatch
    }

    func claim(_ request: Request) async throws(APIError) -> Outcome {
        let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Outcome, APIError>, Never>) in
            let startWriter = state.withLock { state -> Bool in
                state.waiting.append(Waiting(request: request, continuation: continuation))
                guard state.idleWriters > 0 else { return false }
                state.idleWriters -= 1
                return true
            }
            if startWriter { Task { await self.drain() } }
        }
        return try result.get()
    }

    /// Writes batches until nothing waits, then counts itself idle again (in the same critical section as the
    /// check, so a request queued meanwhile always finds a writer running or one to start).
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                guard !state.waiting.isEmpty else {
                    state.idleWriters += 1
                    return []
                }
                let count = min(maxBatch, state.waiting.count)
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            if batch.isEmpty { return }
            let outcomes = await write(batch.map(\.request))
            for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(returning: outcome) }
        }
    }

    /// One batch: the claim statement (its own transaction), then, only if some keys were taken already, the
    /// read of those claims.
    private func write(_ requests: [Request]) async -> [Result<Outcome, APIError>] {
        do {
            let batch = try await pool.withConnection { (connection: PostgresConnection) throws(PostgresError) in
                var batch = ClaimBatch(requests)
                batch.record(claimed: try await connection.query(ClaimBatch.claimSQL, batch.claimParameters()))
                if let parameters = batch.readParameters() {
                    batch.record(earlier: try await connection.query(ClaimBatch.readSQL, parameters))
                }
                return batch
            }
            return batch.outcomes()
        } catch {
            // Whether the claims committed is unknown when the connection broke mid-statement; the client's
            // retry finds out (it claims the key, or finds this claim and produces its event).
            return Array(repeating: .failure(.unavailable("database unavailable: \(error.message)")), count: requests.count)
        }
    }
}
