import Core

/// Everything that can happen in the simulated world. Pods are indices into the world's pod list (every
/// incarnation is a new pod); events for a dead pod are dropped, events for a frozen one wait.
enum SimEvent {
    /// The producer writes every planned event due now, from this index on.
    case produce(Int32)
    /// One record written late (deferred by an outage) or twice (a client's retry).
    case produceSingle(Int32, duplicate: Bool)
    case fetch(Int32)
    /// A pod's next database protocol step reaches the server (stale unless the serial is the client's).
    case databaseStep(Int32, UInt32)
    /// The server notices that a dead pod's connection closed.
    case databaseDisconnect(Int32, Int32)
    case databaseReply(Int32, RequestID, DatabaseResult)
    case commit(Int32, RequestID, OffsetCommit, member: Int32)
    case commitReply(Int32, RequestID, CommitResult)
    case deadLetter(Int32, RequestID, DeadLetter)
    case deadLetterReply(Int32, RequestID, PublishResult)
    case timer(Int32, TimerID, UInt32)
    case heartbeat(Int32)
    case join(Int32, member: Int32?, owned: [PartitionID])
    case sync(Int32, member: Int32, generation: Int32, assignment: [PartitionID])
    /// The JoinGroup answer: the member learns the new generation (and the leader computes the assignment).
    case joinResponse(Int32, member: Int32, generation: Int32)
    /// The leader's SyncGroup reaches the coordinator, carrying the round's assignment.
    case leaderSync(Int32, generation: Int32)
    /// A pending SyncGroup answered REBALANCE_IN_PROGRESS: the round was abandoned, join again.
    case syncFailed(Int32, member: Int32)
    /// The client's max.poll.interval.ms timer expired while the application was blocked: it leaves the group.
    case pollTimeout(Int32)
    /// The blocked application polls again (and learns it was removed, if it was).
    case pollResumed(Int32)
    case leave(Int32, member: Int32)
    case podReady(Int32)
    case sigterm(Int32)
    case sigkill(Int32)
    case scale(Int)
    case reconcile
    case fault(Int)
    case brokerRecovered
    case coordinatorTick
    /// The twin: the HPA's sync (KEDA's metric read with it), the cluster autoscaler's scan, a node coming up,
    /// a lost zone coming back.
    case autoscale
    case clusterScan
    case nodeReady(Int)
    case zoneRecovered(Int)

    /// Events a frozen pod cannot take until it thaws.
    var frozenTarget: Int32? {
        switch self {
        case .fetch(let pod), .databaseReply(let pod, _, _), .commitReply(let pod, _, _),
             .deadLetterReply(let pod, _, _), .timer(let pod, _, _), .heartbeat(let pod), .sync(let pod, _, _, _),
             .sigterm(let pod), .joinResponse(let pod, _, _), .syncFailed(let pod, _), .pollTimeout(let pod):
            return pod
        default:
            return nil
        }
    }

    /// Events that wait while a pod's poll loop is stalled (max-poll-exceeded): polls, and the rebalance answers
    /// a poll serves. Its client's background thread (heartbeats, JoinGroup answers, the max.poll.interval.ms
    /// timer) and the rest of the consumer (database answers, timers, signals) go on.
    var stalledTarget: Int32? {
        switch self {
        case .fetch(let pod), .sync(let pod, _, _, _), .syncFailed(let pod, _): return pod
        default: return nil
        }
    }

    /// Answers of the group coordinator, which cannot reach a pod cut off from the brokers until it heals.
    var isolatedTarget: Int32? {
        switch self {
        case .joinResponse(let pod, _, _), .sync(let pod, _, _, _), .syncFailed(let pod, _): return pod
        default: return nil
        }
    }

    /// A small numeric code per case for the trace hash.
    var code: Int {
        switch self {
        case .produce: return 1
        case .produceSingle: return 2
        case .fetch: return 3
        case .databaseStep: return 4
        case .databaseDisconnect: return 27
        case .databaseReply: return 5
        case .commit: return 6
        case .commitReply: return 7
        case .deadLetter: return 8
        case .deadLetterReply: return 9
        case .timer: return 10
        case .heartbeat: return 11
        case .join: return 12
        case .sync: return 13
        case .leave: return 14
        case .podReady: return 15
        case .sigterm: return 16
        case .sigkill: return 17
        case .scale: return 18
        case .fault: return 19
        case .coordinatorTick: return 20
        case .reconcile: return 21
        case .brokerRecovered: return 22
        case .autoscale: return 23
        case .clusterScan: return 24
        case .nodeReady: return 25
        case .zoneRecovered: return 26
        case .joinResponse: return 27
        case .leaderSync: return 28
        case .syncFailed: return 29
        case .pollTimeout: return 30
        case .pollResumed: return 31
        }
    }
}
