public import Core

/// Everything a run is made of, drawn from the seed before the run starts: traffic, faults and scaling steps.
/// Both modes of a paired run share one scenario; shrinking works by removing parts of it.
public struct Scenario: Hashable, Sendable {
    public var seed: UInt64
    public var replicas: Int
    public var partitions: Int
    public var config: SimulationConfig
    public var events: [PlannedEvent]
    public var faults: [PlannedFault]
    public var scaling: [ScaleStep]
    public var selection: FaultSelection
    /// The platform twin: zones, nodes and an autoscaler drive the replica count instead of `scaling`.
    public var twin: TwinSettings?

    public init(seed: UInt64, replicas: Int, partitions: Int, config: SimulationConfig, events: [PlannedEvent],
                faults: [PlannedFault], scaling: [ScaleStep], selection: FaultSelection, twin: TwinSettings? = nil) {
        self.twin = twin
        self.seed = seed
        self.replicas = replicas
        self.partitions = partitions
        self.config = config
        self.events = events
        self.faults = faults
        self.scaling = scaling
        self.selection = selection
    }

    public var enabledFaultKinds: [FaultKind] {
        var kinds: [FaultKind] = []
        for fault in faults where !kinds.contains(fault.kind) { kinds.append(fault.kind) }
        if events.contains(where: { $0.poison != nil }), !kinds.contains(.poison) { kinds.append(.poison) }
        if events.contains(where: \.reusedID), !kinds.contains(.idReuse) { kinds.append(.idReuse) }
        return kinds.sorted()
    }

    public var faultCount: Int { faults.count + events.filter { $0.poison != nil || $0.reusedID }.count }
}

/// One event the producer will write at `time`.
public struct PlannedEvent: Hashable, Sendable {
    public enum Poison: String, Hashable, Sendable {
        /// Bytes that do not decode as an event.
        case undecodable
        /// Decodes, but the ledger's CHECK constraint refuses the amount (`23514`): rejected, dead-lettered
        /// after its first attempt alone.
        case outOfRange = "out-of-range"
        /// Decodes, but its account id is longer than the accounts primary key's btree takes (`54000`
        /// program_limit_exceeded, a limit of the installation rather than a rule about the value): a
        /// permanent failure, retried alone within the budget, counted durably, then dead-lettered.
        case oversizedAccount = "oversized-account"
        /// Decodes, but names an account whose row a session outside the workers holds locked and never lets go
        /// (an operator's forgotten `SELECT ... FOR UPDATE`): every statement that writes it waits until the
        /// worker's `statement_timeout` cancels it (`57014`), a transient failure that never ends. `after` takes
        /// its batch apart, counts its failures alone while other batches commit, then dead-letters it as
        /// `retries_exhausted`.
        case stuckAccount = "stuck-account"
    }

    public var time: Int64
    public var id: EventID
    public var account: Int
    public var amountCents: Int64
    public var poison: Poison?
    /// The event carries the id of an earlier event with another account or amount (`id-reuse`).
    public var reusedID: Bool

    public init(time: Int64, id: EventID, account: Int, amountCents: Int64, poison: Poison?, reusedID: Bool = false) {
        self.time = time
        self.id = id
        self.account = account
        self.amountCents = amountCents
        self.poison = poison
        self.reusedID = reusedID
    }
}

public struct PlannedFault: Hashable, Sendable {
    public var time: Int64
    public var kind: FaultKind
    /// Picks the victim among the pods running at `time` (modulo their count), so a plan stays valid when
    /// shrinking removes pods.
    public var target: Int
    /// How long a window fault lasts, or a pause; 0 for instantaneous faults.
    public var duration: Int64

    public init(time: Int64, kind: FaultKind, target: Int, duration: Int64) {
        self.time = time
        self.kind = kind
        self.target = target
        self.duration = duration
    }
}

public struct ScaleStep: Hashable, Sendable {
    public var time: Int64
    public var replicas: Int

    public init(time: Int64, replicas: Int) {
        self.time = time
        self.replicas = replicas
    }
}
