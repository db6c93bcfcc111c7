/// What a postmortem timeline draws: pods over virtual time, group generations with their assignments,
/// commits, faults, scaling and violations. Built only when asked for (`RunOptions.timeline`).
public struct Timeline: Hashable, Sendable {
    public struct PodSpan: Hashable, Sendable {
        public var name: String
        public var started: Int64
        /// When the process ended, and how (`killed`, `exited`, `exited (left group)`), or nil if alive at the end.
        public var ended: Int64?
        public var endReason: String
    }

    public struct Freeze: Hashable, Sendable {
        public var pod: String
        public var from: Int64
        public var until: Int64
    }

    public struct Ownership: Hashable, Sendable {
        public var pod: String
        public var member: Int32
        public var partitions: [Int32]
    }

    public struct Round: Hashable, Sendable {
        public var time: Int64
        public var generation: Int32
        public var owners: [Ownership]
    }

    public struct Commit: Hashable, Sendable {
        public var time: Int64
        public var pod: String
        public var member: Int32
        public var generation: Int32
        public var partition: Int32
        public var offset: Int64
        public var accepted: Bool
    }

    public struct Mark: Hashable, Sendable {
        public var time: Int64
        public var label: String
        public var detail: String
    }

    public struct ViolationMark: Hashable, Sendable {
        public var time: Int64
        public var kind: String
        public var cause: String
        public var partition: Int32?
        public var offset: Int64?
        public var explanation: String
    }

    public var seed: UInt64
    public var mode: String
    public var partitions: Int
    public var duration: Int64
    public var pods: [PodSpan]
    public var freezes: [Freeze]
    public var rounds: [Round]
    public var commits: [Commit]
    public var faults: [Mark]
    public var scaling: [Mark]
    public var violations: [ViolationMark]
}
