
/// What a sweep ran: the scenario flags that shape every seed. Shards can merge only when these agree.
public struct SweepSettings: Hashable, Sendable {
    public var mode: String
    public var replicas: Int
    public var partitions: Int
    public var events: Int
    public var faults: String
    /// The flags a reproducer line needs beyond seed, replicas and mode (`ScenarioOptions.nonDefaultFlags`).
    public var flags: String

    public init(mode: String, replicas: Int, partitions: Int, events: Int, faults: String, flags: String) {
        self.mode = mode
        self.replicas = replicas
        self.partitions = partitions
        self.events = events
        self.faults = faults
        self.flags = flags
    }

    public func reproduce(seed: UInt64) -> String {
        "swift run sim --seed \(seed) --replicas \(replicas) --mode \(mode)\(flags)"
    }
}

/// The report of a sweep, of one shard of it, or of merged shards: the same keys from the same tally.
/// Timing: `seconds` is the wall time of the run (for merged shards, the sum of the shards' wall times), and
/// the rates divide by it.
public struct SweepReport: Sendable {
    public var tally: SweepTally
    public var settings: SweepSettings
    public var seconds: Double

    public init(tally: SweepTally, settings: SweepSettings, seconds: Double) {
        self.tally = tally
        self.settings = settings
        self.seconds = seconds
    }

    public var json: JSONValue { .object(pairs) }

    /// The documented keys in order, then the raw counters that make merging exact.
    public var pairs: [(String, JSONValue)] {
        let wall = max(seconds, 1e-9)
        return [
            ("seeds", .int(tally.seeds)),
            ("failed_seeds", .array(tally.failedSeeds.map { .int(Int64(bitPattern: $0)) })),
            ("violations_by_kind", .object(SweepTally.named(tally.violationsByKind).map { ($0.0, .int($0.1)) })),
            ("seconds", .double(seconds)),
            ("seeds_per_second", .double(Double(tally.seeds) / wall)),
            ("events_per_second", .double(Double(tally.simulatedEvents) / wall)),
            ("mode", .string(settings.mode)),
            ("replicas", .int(settings.replicas)),
            ("partitions", .int(settings.partitions)),
            ("events_per_seed", .int(settings.events)),
            ("faults", .string(settings.faults)),
            ("runs", .int(tally.runs)),
            ("runs_with_duplicates", .int(tally.runsWithDuplicates)),
            ("runs_with_violations", .int(tally.runsWithViolations)),
            ("simulated_seconds", .double(Double(tally.simulatedMilliseconds) / 1000)),
            ("simulated_to_wall_ratio", .double(Double(tally.simulatedMilliseconds) / 1000 / wall)),
            ("simulated_events", .int(tally.simulatedEvents)),
            ("simulated_milliseconds", .int(tally.simulatedMilliseconds)),
        ]
    }

    /// `firstReproduce`: the reproducer of the first failing seed, if any.
    public func text(title: String = "sweep", firstReproduce: String?) -> String {
        let wall = max(seconds, 1e-9)
        let failed = tally.failedSeeds
        let kinds = SweepTally.named(tally.violationsByKind)
        var lines = [
            "\(title): \(tally.seeds) seeds, mode \(settings.mode), \(settings.replicas) replicas, \(settings.partitions) partitions, \(settings.events) events/seed, faults \(settings.faults)",
            "  failing seeds: \(failed.count)\(failed.isEmpty ? "" : " (first: \(failed.prefix(10).map(String.init).joined(separator: ", ")))")",
            "  violations by kind: \(kinds.isEmpty ? "none" : kinds.map { "\($0.0) \($0.1)" }.joined(separator: ", "))",
            "  runs with duplicates: \(tally.runsWithDuplicates) of \(tally.runs)",
            "  \(round2(seconds)) s, \(round2(Double(tally.seeds) / wall)) seeds/s, \(Int(Double(tally.simulatedEvents) / wall)) simulated events/s, simulated time \(Int(Double(tally.simulatedMilliseconds) / 1000 / wall))x real time",
        ]
        if let firstReproduce { lines.append("  replay the first: \(firstReproduce)") }
        return lines.joined(separator: "\n")
    }

    private func round2(_ value: Double) -> String { String((value * 100).rounded() / 100) }
}
