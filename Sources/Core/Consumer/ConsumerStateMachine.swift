/// The processing state machine of one consumer process (design brief §3).
///
/// A value type with one mutating method per input; each returns the actions its driver must carry out, in
/// order. It never reads a clock (inputs carry `now`), never does I/O and draws randomness only from the seed in
/// its configuration, so the simulator can run thousands of them deterministically and the live runtime runs
/// exactly the same decisions against librdkafka and libpq.
///
/// Lifecycle: `created` -> `running` -> (`draining` ->) `stopped`. `before` mode goes straight from `running` to
/// `stopped` on SIGTERM; `after` drains: not ready, stop fetching, finish the in-flight transaction, commit,
/// leave the group, exit, or exit at the deadline whatever is left.
public struct ConsumerStateMachine: Sendable {
    enum Lifecycle: Hashable, Sendable {
        case created
        case running
        case draining(deadline: Timestamp)
        case stopped
    }

    public let configuration: ConsumerConfiguration
    public internal(set) var statistics = ConsumerStatistics()
    /// The group generation of the latest assignment or revocation this consumer was told about.
    public internal(set) var generation: Int32 = -1

    var lifecycle: Lifecycle = .created
    /// Owned partitions, sorted by id. An array, not a dictionary: iteration order must not depend on the
    /// per-process hash seed, or the simulator would stop being reproducible.
    var partitions: [PartitionState] = []
    var pipeline: Pipeline = .idle
    var random: SplitMix64
    var nextRequestValue: UInt64 = 1
    var rotation = 0
    var backpressured = false
    /// `before` mode's derived state: per-account totals cached in process memory (looked up, never iterated).
    var balanceCache: [AccountID: Int64] = [:]
    var offsetLoads: [OffsetLoad] = []
    var pendingCommits: [PendingCommit] = []
    /// `after`: revoked partitions released once the in-flight pipeline step that touches them ends.
    var revocationsAwaitingPipeline: [PartitionID] = []
    var settlement = SettlementState()
    var shutdownCommit: RequestID?
    /// `after`: batch transactions that failed transiently or ambiguously (with `statistics.batchesCommitted`,
    /// the evidence an isolated event's transient failure is judged by).
    var batchTransientFailures = 0

    public init(configuration: ConsumerConfiguration) {
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration.randomSeed)
    }

    public var mode: ProcessingMode { configuration.mode }

    // MARK: - Observations for drivers and metrics

    public var isRunning: Bool { lifecycle == .running }
    public var isStopped: Bool { lifecycle == .stopped }
    public var isDraining: Bool {
        if case .draining = lifecycle { return true }
        return false
    }

    public var ownedPartitions: [PartitionID] { partitions.map(\.id) }
    public var queuedEvents: Int {
        // Through the subscript, not by iterating values: no copy (and retain) of every partition's state.
        var total = 0
        for index in partitions.indices { total += partitions[index].queue.count }
        return total
    }

    public var inFlightEvents: Int {
        if case .batch(let batch) = pipeline.step { return batch.messages.count }
        return pipeline.step == nil ? 0 : 1
    }

    /// Partitions the driver should not fetch from right now.
    public var pausedPartitions: [PartitionID] { partitions.filter(\.fetchPaused).map(\.id) }

    /// Owned partitions that take work (offsets loaded, not being released). A paused partition that is active
    /// while the consumer runs is paused for backpressure only; the live driver holds those by not polling
    /// instead of pausing them in librdkafka, which would drop what it already fetched.
    public var activePartitions: [PartitionID] { partitions.filter(\.isActive).map(\.id) }

    /// The next offset durably handled per owned partition, where known.
    public var durableOffsets: [PartitionOffset] {
        partitions.compactMap { state in state.durableNext.map { PartitionOffset(partition: state.id, offset: $0) } }
    }

    // MARK: - Inputs

    /// The process is up and subscribed.
    public mutating func start(now: Timestamp) -> [ConsumerAction] {
        guard lifecycle == .created else { return [] }
        lifecycle = .running
        var actions: [ConsumerAction] = [.reportReadiness(true)]
        actions.append(.scheduleTimer(.settlement, at: nextSettlementBoundary(after: now)))
        actions.append(.scheduleTimer(.autoCommit, at: now + configuration.autoCommitIntervalMilliseconds))
        return actions
    }

    public mutating func timerFired(_ timer: TimerID, now: Timestamp) -> [ConsumerAction] {
        switch timer {
        case .autoCommit: return autoCommitDue(now: now)
        case .settlement: return settlementDue(now: now)
        case .retrySettlement: return retrySettlement(now: now)
        case .retryPipeline: return retryPipeline(now: now)
        case .retryOffsetLoad: return retryOffsetLoads(now: now)
        case .partitionRetry: return pump(now: now)
        case .shutdownDeadline: return shutdownDeadlineReached()
        }
    }

    public mutating func databaseCompleted(_ request: RequestID, result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        let actions: [ConsumerAction]
        if offsetLoads.contains(where: { $0.request == request }) {
            actions = offsetsLoaded(request, result: result, now: now)
        } else if settlement.inFlight?.request == request {
            actions = settlementCompleted(result, now: now)
        } else if case .inFlight(let current, let step) = pipeline, current == request {
            return pipelineCompleted(step, result: result, now: now)
        } else {
            return []  // a reply to work this consumer has since abandoned
        }
        // A drain also waits for the settlement and offset reads it had sent: no transaction outlives the process.
        return isDraining ? actions + finishShutdown() : actions
    }

    // MARK: - Helpers shared by the extensions

    mutating func makeRequestID() -> RequestID {
        defer { nextRequestValue += 1 }
        return RequestID(nextRequestValue)
    }

    func index(of partition: PartitionID) -> Int? {
        partitions.firstIndex { $0.id == partition }
    }

    func isActive(_ partition: PartitionID) -> Bool {
        guard let index = index(of: partition) else { return false }
        return partitions[index].isActive
    }

    mutating func insertPartition(_ state: PartitionState) {
        let position = partitions.firstIndex { $0.id > state.id } ?? partitions.count
        partitions.insert(state, at: position)
    }
}
