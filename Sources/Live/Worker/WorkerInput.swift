import Core
import LiveKafka

/// Everything that reaches the driver's loop. Each maps to one `ConsumerStateMachine` input (or to driver
/// bookkeeping); the loop handles them one at a time, so the state machine is only ever touched by one task.
enum WorkerInput: Sendable {
    /// A poll's result, in librdkafka's order (messages, rebalances, errors).
    case kafka([KafkaConsumerEvent])
    /// A transaction's outcome, how long it took, and whether the connection is still up afterwards.
    case database(RequestID, DatabaseWork, DatabaseResult, Duration, connected: Bool)
    case databaseProbe(up: Bool)
    case commit(RequestID, OffsetCommit, CommitResult)
    case deadLetter(RequestID, DeadLetter, PublishResult)
    case timer(TimerID, token: UInt64)
    /// Lag gauges from the partition leaders: high watermark per partition, and committed offsets learnt
    /// from the coordinator for partitions this consumer has not committed yet.
    case watermarks(high: [PartitionID: Int64], committed: [PartitionID: Int64])
    /// Once a second: housekeeping (lag refresh, idle database probe).
    case tick
    /// SIGTERM (graceful shutdown of the service group).
    case shutdown
    /// The group member id librdkafka holds after an assignment (for the history).
    case member(String)
    /// The consumer lane closed the consumer (it left the group).
    case consumerClosed
}

/// The driver's inbox: many producers (lanes, timers, the poll task), one consumer (the loop).
struct Mailbox: Sendable {
    let stream: AsyncStream<WorkerInput>
    private let continuation: AsyncStream<WorkerInput>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: WorkerInput.self, bufferingPolicy: .unbounded)
    }

    func post(_ input: WorkerInput) {
        continuation.yield(input)
    }

    func finish() {
        continuation.finish()
    }
}
