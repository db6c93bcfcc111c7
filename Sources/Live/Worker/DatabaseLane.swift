import Core
import LivePostgres

/// The consumer's one database connection, used for one transaction at a time in submission order. Core can
/// have a batch, an offset load and a settlement outstanding at once; they queue here rather than share the
/// connection (libpq allows one transaction per connection) or open more connections per consumer.
final class DatabaseLane: Sendable {
    enum Job: Sendable {
        /// `trace` is set for a batch holding sampled events when tracing is on.
        case work(RequestID, DatabaseWork, trace: BatchTrace?)
        case probe
    }

    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let mailbox: Mailbox

    init(mailbox: Mailbox) {
        self.mailbox = mailbox
        (stream, continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .unbounded)
    }

    func submit(_ job: Job) {
        continuation.yield(job)
    }

    func finish() {
        continuation.finish()
    }

    /// Runs until `finish()`. `store` is used from this task only.
    func run(_ store: LedgerStore) async {
        for await job in stream {
            switch job {
            case .work(let request, let work, let trace):
                let started = ContinuousClock.now
                let (result, connected) = if let trace { await trace.run(work, on: store) } else { await store.run(work) }
                mailbox.post(.database(request, work, result, ContinuousClock.now - started, connected: connected))
            case .probe:
                mailbox.post(.databaseProbe(up: await store.probe()))
            }
        }
    }
}
