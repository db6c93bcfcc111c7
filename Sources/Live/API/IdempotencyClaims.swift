import LivePostgres
import LiveService
import Prometheus
import Synchronization

/// `Idempotency-Key` claims in the `idempotency_keys` table, written in batches (group commit).
///
/// A key is the client's: it is claimed within a scope, the API key id that sent it, so two clients that both
/// send `order-1` get two claims and two events (claims made before keys were scoped are found by any client).
///
/// A claim commits before its event is produced, and it fixes the event: the id (the body's `event_id`, or one
/// drawn for the first request) and `occurred_at` (the claim's `created_at`). An event can therefore reach Kafka
/// only with its key committed, and whatever fails after the claim (the api killed, the broker acknowledging late
/// or never), the client's retry finds the claim and produces the same event again, which the `after` worker
/// applies once. A different body under the same key is a reuse of the key (422). An event id is claimed once
/// too: a body naming an id claimed under another key is that key's event when its account and amount are the
/// same (answered and produced like a replay), and a conflicting reuse of the id when not (409). No connection
/// is held while the broker works.
///
/// Requests queue here; each of `writers` writers takes everything queued (up to `maxBatch`) and writes it as one
/// autocommit statement, so a burst of keyed requests costs a few commits (and WAL flushes) instead of one each.
/// A writer runs on its connection's thread for as long as claims keep arriving (`ClaimWriterSession`): a batch
/// costs no task or thread hop. From that thread it produces each claimed event whose request asked it to
/// (`ProduceAfterClaim`), so the request waits once, for the claim and the broker's acknowledgement together, and
/// resumes the other requests.
final class IdempotencyClaims: Sendable {
    struct Request: Sendable {
        /// The scope the key belongs to: the API key id of the client that sent it (never empty).
        var scope: String
        var key: String
        /// `EventRequest.canonical`, hashed into `request_hash`.
        var canonical: String
        /// The id the event gets if this request claims the key.
        var eventID: String
        /// `EventRequest.unnamedCanonical`: set when the body names its event id, which is then also looked up
        /// under other keys; nil when the id was drawn.
        var unnamedCanonical: String? = nil

        var scopedKey: ClaimBatch.ScopedKey { ClaimBatch.ScopedKey(scope: scope, key: key) }
    }

    enum Outcome: Sendable, Equatable {
        /// This request claimed the key: produce the event with this id and time.
        case claimed(eventID: String, occurredAtMilliseconds: Int64)
        /// An earlier request with the same body claimed it: produce its event (again).
        case earlier(eventID: String, occurredAtMilliseconds: Int64)
        /// The key was claimed with a different body.
        case keyReused
        /// Another key claimed the body's event id for the same event: produce its event (again).
        case sameEvent(eventID: String, occurredAtMilliseconds: Int64)
        /// Another key claimed the body's event id for another account or amount.
        case eventIDConflict(eventID: String)
    }

    struct Waiting: Sendable {
        let request: Request
        let continuation: UnsafeContinuation<Result<Outcome, APIError>, Never>
        /// The event loop the request waits on (its connection's): resumed there, its produce and response stay
        /// on that loop instead of hopping back to it.
        let loop: EventLoopDeliveryTarget?
        /// Set when the writer produces the claimed event itself before resuming the request.
        let then: ProduceAfterClaim?
    }

    private struct State {
        var waiting: [Waiting] = []
        var idleWriters: Int
    }

    private let pool: PostgresPool
    private let state: Mutex<State>
    private let maxBatch: Int
    private let metrics: ClaimMetrics?
    /// Whether the database holds claims from before keys were scoped (`ClaimBatch.unscopedClaimsSQL`): 0 not
    /// asked yet, 1 none, 2 some. Asked once, by the first writer; none can be added since.
    private let unscoped = Atomic<UInt8>(0)

    /// `writers` bounds the claim statements in flight (each holds one pooled connection while claims keep
    /// arriving). One writer makes the largest batches (the least CPU per claim); a second one overlaps its
    /// statement with the first one's WAL flush.
    init(pool: PostgresPool, writers: Int = 1, maxBatch: Int = 512, metrics: ClaimMetrics? = nil) {
        precondition(writers > 0 && maxBatch > 0, "IdempotencyClaims needs a writer and a batch of at least one")
        self.pool = pool
        self.state = Mutex(State(idleWriters: writers))
        self.maxBatch = maxBatch
        self.metrics = metrics
    }

    /// Requests queued for the next batch (none while every writer keeps up).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Claims `request`'s key; with `then`, the claimed event is also produced (by the writer, on its thread) and
    /// the request is answered once the broker acknowledged it.
    func claim(_ request: Request, then: ProduceAfterClaim? = nil) async throws(APIError) -> Outcome {
        let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Outcome, APIError>, Never>) in
            let startWriter = state.withLock { state -> Bool in
                state.waiting.append(Waiting(request: request, continuation: continuation, loop: .current, then: then))
                guard state.idleWriters > 0 else { return false }
                state.idleWriters -= 1
                return true
            }
            if startWriter { Task { await self.drain() } }
        }
        return try result.get()
    }

    /// The next batch, or an empty one after counting the writer idle again (in the same critical section as
    /// the check, so a request queued meanwhile always finds a writer running or one to start).
    func nextBatch() -> [Waiting] {
        state.withLock { state -> [Waiting] in
            guard !state.waiting.isEmpty else {
                state.idleWriters += 1
                return []
            }
            let count = min(maxBatch, state.waiting.count)
            defer { state.waiting.removeFirst(count) }
            return Array(state.waiting.prefix(count))
        }
    }

    /// One writer: a pooled connection, then batches on its thread until nothing waits. If no usable connection
    /// can be had, the queued batch fails (the client retries) and the writer tries again for the next one.
    private func drain() async {
        while true {
            do {
                try await pool.withConnection { (connection: PostgresConnection) throws(PostgresError) in
                    await connection.withSynchronousAccess { database in
                        ClaimWriterSession(claims: self, database: database).run()
                    }
                }
                return
            } catch {
                let batch = nextBatch()
                if batch.isEmpty { return }
                for waiting in batch {
                    waiting.continuation.resume(returning: .failure(.unavailable("database unavailable: \(error.message)")))
                }
            }
        }
    }

    /// Whether the claim statement must look for unscoped claims; `ask` runs the query the first time.
    func unscopedClaims(ask: () throws(PostgresError) -> Bool) throws(PostgresError) -> Bool {
        switch unscoped.load(ordering: .relaxed) {
        case 1: return false
        case 2: return true
        default:
            let found = try ask()
            unscoped.store(found ? 2 : 1, ordering: .relaxed)
            return found
        }
    }

    /// Counts one statement of `claims` claims (the batch size the group commit achieves) that took `duration`
    /// (its execution and commit, WAL flush included).
    func recordStatement(claims: Int, duration: Duration) {
        metrics?.statements.increment()
        metrics?.claims.increment(by: Int64(claims))
        metrics?.statementDuration.record(duration)
    }
}

/// The claim writer's series: how many claims each statement carries (claims / statements) and how long a
/// statement takes, which sets how long a keyed request waits for its claim (about one and a half statements).
struct ClaimMetrics: Sendable {
    let statements: Counter
    let claims: Counter
    let statementDuration: DurationHistogram

    init(_ registry: MetricsRegistry) {
        statements = registry.counter("api_claim_statements_total", help: "Idempotency-Key claim statements written (one commit each)")
        claims = registry.counter("api_claims_written_total", help: "Idempotency-Key claims written, in all statements")
        statementDuration = registry.histogram(
            "api_claim_statement_seconds", help: "Time of one Idempotency-Key claim statement, its commit included")
    }
}
