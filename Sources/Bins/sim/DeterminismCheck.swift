import Core
import Sim

/// Runs a scenario twice per mode and compares the running hash after every event. On a mismatch it reruns
/// both with tracing on and prints the first differing event of each.
struct DeterminismCheck {
    var scenario: Scenario
    var modes: [ProcessingMode]
    var json: Bool

    func run() throws {
        var reports: [JSONValue] = []
        var deterministic = true
        for mode in modes {
            let options = RunOptions(trace: false, recordEventHashes: true, explain: false)
            let first = Simulation.run(scenario, mode: mode, options: options)
            let second = Simulation.run(scenario, mode: mode, options: options)
            let divergence = zip(first.eventHashes, second.eventHashes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? (first.eventHashes.count == second.eventHashes.count ? nil : min(first.eventHashes.count, second.eventHashes.count))
            var entry: [(String, JSONValue)] = [
                ("mode", .string(mode.rawValue)), ("events", .int(first.executedEvents)),
                ("trace_hash_first", .string(first.traceHash)), ("trace_hash_second", .string(second.traceHash)),
                ("deterministic", .bool(divergence == nil)),
            ]
            if let divergence {
                deterministic = false
                let traced = RunOptions(trace: true, recordEventHashes: false, explain: false)
                let lineA = Simulation.run(scenario, mode: mode, options: traced).trace.dropFirst(divergence).first ?? "(no event)"
                let lineB = Simulation.run(scenario, mode: mode, options: traced).trace.dropFirst(divergence).first ?? "(no event)"
                entry.append(("first_difference", .object([("index", .int(divergence)), ("run_1", .string(lineA)), ("run_2", .string(lineB))])))
                if !json {
                    print("NOT deterministic (mode \(mode.rawValue)): first difference at event \(divergence)\n  run 1: \(lineA)\n  run 2: \(lineB)")
                }
            } else if !json {
                print("deterministic (mode \(mode.rawValue)): \(first.executedEvents) events, trace hash \(first.traceHash) twice")
            }
            reports.append(.object(entry))
        }
        if json {
            print(JSONValue.object([("seed", .int(Int64(bitPattern: scenario.seed))), ("deterministic", .bool(deterministic)),
                                    ("runs", .array(reports))]).serialized)
        }
        if !deterministic { throw InvariantsViolated() }
    }
}
