import ArgumentParser
import Core
import Foundation
import Sim

/// `sim [--seed N] ...`: one seed, one report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run one seed and report (the default).")

    @Option(help: "The seed: it decides traffic, faults, scaling and every latency.")
    var seed: UInt64 = 42

    @Option(help: "before (naive), after (replica-safe), or both (same seed and fault schedule, side by side).")
    var mode: ModeChoice = .after

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: ArgumentHelp("Run the schedule in this scenario file (what make e2e writes) instead of one drawn from --seed.", valueName: "file"))
    var scenario: String?

    @OptionGroup var safeguardOptions: SafeguardOptions

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    @Flag(help: "Print one line per simulated event before the report.")
    var trace = false

    @Flag(help: "Run the seed twice and compare every event; name the first that differs.")
    var checkDeterminism = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML timeline (both runs with --mode both).", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Also write an SVG timeline; with --mode both, FILE is before and FILE with .after before its extension (t.svg: t.after.svg) is after.", valueName: "file"))
    var svg: String?

    func validate() throws {
        try safeguardOptions.validate(modes: mode.modes)
        if checkDeterminism, !safeguardOptions.safeguards.isEmpty { throw ValidationError("--without cannot be combined with --check-determinism") }
        if checkDeterminism, html != nil || svg != nil { throw ValidationError("--html and --svg cannot be combined with --check-determinism") }
        try [html, svg].compactMap { $0 }.forEach(TimelineFiles.checkWritable)
        if scenario != nil, checkDeterminism { throw ValidationError("--scenario cannot be combined with --check-determinism") }
    }

    /// `--scenario FILE`, or the scenario the seed draws.
    private func loadScenario() throws -> Scenario {
        guard let path = scenario else { return scenarioOptions.scenario(seed: seed) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read \(path)")
        }
        do {
            return try ScenarioFile.parse(text)
        } catch {
            throw ValidationError("\(path): \(error.reason)")
        }
    }

    func run() throws {
        let scenario = try loadScenario()
        if checkDeterminism {
            return try DeterminismCheck(scenario: scenario, modes: mode.modes, json: json).run()
        }
        let options = RunOptions(trace: trace, recordEventHashes: false, explain: true, timeline: html != nil || svg != nil)
        let without = safeguardOptions.safeguards
        let results = mode.modes.map { Simulation.run(scenario, mode: $0, without: without, options: options) }
        if trace {
            for result in results {
                if results.count > 1 { print("# trace, mode \(result.mode.rawValue)") }
                result.trace.forEach { print($0) }
            }
        }
        print(report(results))
        try TimelineFiles.write(results.compactMap(\.timeline), html: html, svg: svg)
        if results.contains(where: { !$0.passed }) { throw InvariantsViolated() }
    }

    private func report(_ results: [RunResult]) -> String {
        let flag = safeguardOptions.flag
        let reproducers = results.map { result in
            scenario.map { "swift run sim --scenario \($0) --mode \(result.mode.rawValue)" }
                ?? scenarioOptions.reproduce(seed: seed, mode: result.mode.rawValue, without: result.mode == .after ? flag : "")
        }
        if json {
            guard results.count == 2 else { return results[0].json(reproduce: reproducers[0]).serialized }
            return JSONValue.object([
                ("seed", .int(Int64(bitPattern: seed))), ("mode", .string("both")),
                ("replicas", .int(scenarioOptions.replicas)), ("partitions", .int(scenarioOptions.partitions)),
                ("before", results[0].json(reproduce: reproducers[0])),
                ("after", results[1].json(reproduce: reproducers[1])),
                ("reproduce", .string(scenarioOptions.reproduce(seed: seed, mode: "both", without: flag))),
            ]).serialized
        }
        guard results.count == 2 else { return results[0].summary(reproduce: reproducers[0]) }
        let header = "ReplicaSafe simulator: seed \(seed), both modes, \(scenarioOptions.replicas) replicas, \(scenarioOptions.partitions) partitions, same traffic and faults\n  happened (before): \(results[0].happenings)\n  happened (after):  \(results[1].happenings)"
        return [header, "", PairedSummary.table(before: results[0], after: results[1]), "",
                results[0].summary(reproduce: reproducers[0]), "", results[1].summary(reproduce: reproducers[1])]
            .joined(separator: "\n")
    }
}

/// `--html` / `--svg`: the renderers are pure (Sim has no Foundation); the files are written here.
enum TimelineFiles {
    static func write(_ timelines: [Timeline], html: String?, svg: String?) throws {
        if let html { try save(TimelineHTML.render(timelines), to: html) }
        if let svg {
            for (index, timeline) in timelines.enumerated() {
                try save(TimelineSVG.render(timeline), to: index == 0 ? svg : afterPath(svg))
            }
        }
    }

    /// `out.svg` -> `out.after.svg`; `out` -> `out.after` (only the last path component's extension counts).
    static func afterPath(_ path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path + ".after" }
        let stem = path.dropLast(name.distance(from: dot, to: name.endIndex))
        return stem + ".after" + name[dot...]
    }

    /// Before the run: a missing directory is a bad argument (exit 2), not a lost report.
    static func checkWritable(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw ValidationError("cannot write \(path): directory \(directory) does not exist")
        }
    }

    private static func save(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
