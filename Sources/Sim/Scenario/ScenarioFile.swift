/// A schedule applied to real processes, as `make e2e` writes it (`out/e2e/<mode>/scenario.json`), turned into
/// a simulator scenario: the same scaling steps, kills, terminations and broker and database faults at the
/// same times, over traffic of the same size and duration drawn from the file's seed.
///
///     {"format": "replicasafe-scenario/1", "seed": 20261127, "partitions": 12, "replicas": 5,
///      "events": 20000, "traffic_ms": 133334, "accounts": 200, "settlement_period_ms": 10000,
///      "batch_max_events": 500, "shutdown_grace_ms": 20000,
///      "scaling": [{"at_ms": 0, "replicas": 1}, ...],
///      "faults": [{"at_ms": 46000, "kind": "kill", "target": 1, "duration_ms": 0}, ...]}
///
/// `kind` is a `FaultKind` name (`kill`, `terminate`, `broker-outage`, `db-outage`, ...); `target` picks the pod
/// among those running (modulo their count), as in a generated scenario.
public enum ScenarioFile {
    public static let format = "replicasafe-scenario/1"

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { reason }
    }

    public static func parse(_ text: String) throws(Invalid) -> Scenario {
        guard case .success(let root) = JSONValue.parse(Substring(text)) else { throw Invalid(reason: "not a JSON object") }
        guard root["format"]?.stringValue == format else { throw Invalid(reason: "format must be \"\(format)\"") }
        func int(_ key: String, _ range: ClosedRange<Int64>) throws(Invalid) -> Int64 {
            guard let value = root[key]?.intValue else { throw Invalid(reason: "\(key) must be an integer") }
            guard range.contains(value) else { throw Invalid(reason: "\(key) must be in \(range.lowerBound)...\(range.upperBound), got \(value)") }
            return value
        }
        var config = SimulationConfig()
        config.trafficDuration = try int("traffic_ms", 1_000...3_600_000)
        config.accounts = Int(try int("accounts", 1...100_000))
        config.settlementPeriod = try int("settlement_period_ms", 1_000...3_600_000)
        config.batchMaxEvents = Int(try int("batch_max_events", 1...100_000))
        config.shutdownDrainDeadline = try int("shutdown_grace_ms", 0...3_600_000)
        let replicas = Int(try int("replicas", 1...64))
        let generator = ScenarioGenerator(replicas: replicas, partitions: Int(try int("partitions", 1...256)),
                                          eventCount: Int(try int("events", 1...1_000_000)), selection: .none, config: config)
        var scenario = generator.generate(seed: UInt64(try int("seed", 0...Int64.max)))
        scenario.scaling = try steps(root["scaling"], replicas: replicas, until: config.trafficDuration)
        scenario.faults = try faults(root["faults"], until: config.trafficDuration)
        scenario.selection = .list(Array(Set(scenario.faults.map(\.kind))).sorted())
        if scenario.faults.isEmpty { scenario.selection = .none }
        return scenario
    }

    private static func steps(_ value: JSONValue?, replicas: Int, until end: Int64) throws(Invalid) -> [ScaleStep] {
        guard let entries = value?.arrayValue, !entries.isEmpty else { throw Invalid(reason: "scaling must list at least one step") }
        var steps: [ScaleStep] = []
        for entry in entries {
            guard let time = entry["at_ms"]?.intValue, let count = entry["replicas"]?.intValue, (0...end).contains(time),
                  (1...Int64(replicas)).contains(count)
            else { throw Invalid(reason: "a scaling step needs at_ms in 0...\(end) and replicas in 1...\(replicas)") }
            guard steps.last.map({ $0.time <= time }) ?? true else { throw Invalid(reason: "scaling steps must be in time order") }
            steps.append(ScaleStep(time: time, replicas: Int(count)))
        }
        guard steps[0].time == 0 else { throw Invalid(reason: "the first scaling step must be at_ms 0") }
        return steps
    }

    private static func faults(_ value: JSONValue?, until end: Int64) throws(Invalid) -> [PlannedFault] {
        var faults: [PlannedFault] = []
        for entry in value?.arrayValue ?? [] {
            guard let name = entry["kind"]?.stringValue, let kind = FaultKind(rawValue: name), kind != .poison, kind != .zoneOutage else {
                throw Invalid(reason: "a fault's kind must be one of \(FaultKind.swarmKinds.filter { $0 != .poison }.map(\.rawValue).joined(separator: ","))")
            }
            guard let time = entry["at_ms"]?.intValue, (0...end).contains(time) else { throw Invalid(reason: "fault \(name): at_ms must be in 0...\(end)") }
            let duration = entry["duration_ms"]?.intValue ?? 0
            guard duration >= 0 else { throw Invalid(reason: "fault \(name): duration_ms must not be negative") }
            faults.append(PlannedFault(time: time, kind: kind, target: Int(entry["target"]?.intValue ?? 0), duration: duration))
        }
        return faults.sorted { ($0.time, $0.kind) < ($1.time, $1.kind) }
    }
}
