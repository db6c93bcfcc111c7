public import Core

/// The outcome of one simulated run in one mode.
public struct RunResult: Sendable {
    public struct FaultNote: Hashable, Sendable {
        public var time: Int64
        public var kind: FaultKind
        public var detail: String
    }

    public var seed: UInt64
    public var mode: ProcessingMode
    public var replicas: Int
    public var partitions: Int
    public var eventsProduced: Int
    public var poisonEvents: Int
    public var eventsApplied: Int
    public var effectsApplied: Int
    public var lost: Int
    public var deadLettered: Int
    public var duplicatesSkipped: Int
    public var settlementPeriods: Int
    public var settlementRuns: Int
    public var doubleSettlements: Int
    public var missedSettlements: Int
    public var balanceMismatches: Int
    public var violations: [Violation]
    public var traceHash: String
    public var simulatedMilliseconds: Int64
    public var executedEvents: Int
    public var generations: Int
    public var kills: Int
    public var terminations: Int
    public var pauses: Int
    public var surges: Int
    public var expiredMembers: Int
    public var scaleSteps: [ScaleStep]
    public var faults: [FaultNote]
    public var faultKinds: [FaultKind]
    public var trace: [String]
    public var eventHashes: [UInt64]
    /// Present when the run was asked for one (`RunOptions.timeline`).
    public var timeline: Timeline?
    /// The twin's curves (empty outside the twin) and the most worker pods that existed at once.
    public var samples: [TwinSample] = []
    public var maxWorkerPods = 0
    /// When the heal phase found the system quiet; nil: never (a `not-quiet` violation says what was pending).
    public var quietAt: Int64?
    /// `after` mechanisms this run switched off (`--without`); empty otherwise.
    public var disabledSafeguards: [Safeguard] = []
    /// Offset commits the coordinator wrote while the client saw an error (commit-ambiguous).
    public var ambiguousCommits = 0
    /// Offset commits answered REBALANCE_IN_PROGRESS (sent while the group completed a round).
    public var commitsRebalanceInProgress = 0
    /// Clients that timed their own session out (no coordinator answer for session.timeout.ms).
    public var clientSessionTimeouts = 0
    /// Clients that left the group because their consumer had not polled for max.poll.interval.ms.
    public var pollTimeouts = 0
    /// Committed transactions of a member the coordinator had already removed (expired, or left on
    /// max.poll.interval.ms): zombie writes. In `after` the guard absorbs them.
    public var zombieWrites = 0

    /// `effects_applied - events_applied`.
    public var duplicates: Int { effectsApplied - eventsApplied }
    public var passed: Bool { violations.isEmpty }

    /// Violations per (kind, cause), in order of first appearance.
    public var violationsByCause: [(kind: Violation.Kind, cause: String, count: Int)] { ViolationReport.byCause(violations) }

    /// The first violation of each distinct (kind, cause): one per kind first, then the other causes.
    public var representativeViolations: [Violation] { ViolationReport.representatives(violations) }

    public var violationsByKind: [(Violation.Kind, Int)] { ViolationReport.byKind(violations) }
}
