import Core

extension ShardResults {
    /// Reads a results file written by `sim sweep --results`; every inconsistency is an error naming the line.
    public static func parse(_ text: String, path: String) throws(ResultsError) -> ShardResults {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let last = lines.last, case .success(let summary) = JSONValue.parse(last), summary["type"]?.stringValue == "summary" else {
            throw ResultsError(path: path, reason: "no summary line at the end: the shard did not finish or the file is cut short")
        }
        guard summary["format"]?.intValue == Int64(ShardResults.format) else {
            throw ResultsError(path: path, reason: "results format \(summary["format"]?.serialized ?? "missing"); this sim reads format \(ShardResults.format)")
        }
        guard let rangeText = summary["range"]?.stringValue, let range = SeedRange(parsing: rangeText),
              let shardText = summary["shard"]?.stringValue, let shard = Shard(parsing: shardText),
              range.seeds(of: shard)?.description == summary["shard_seeds"]?.stringValue else {
            throw ResultsError(path: path, reason: "the summary's range, shard and shard_seeds do not agree")
        }
        guard let report = summary["report"], let flags = summary["reproduce_flags"]?.stringValue,
              let settings = settings(report) else {
            throw ResultsError(path: path, reason: "line \(lines.count): the summary's report lacks a field")
        }
        let failures = try failureLines(lines.dropLast(), mode: settings.mode, path: path)
        let seeds = failures.map(\.failure.seed)
        let shardSeeds = range.seeds(of: shard)
        let failedSeeds = report["failed_seeds"]?.arrayValue?.compactMap { $0.intValue.map { UInt64(bitPattern: $0) } }
        guard seeds == failedSeeds, seeds.allSatisfy({ shardSeeds?.closed.contains($0) ?? false }) else {
            throw ResultsError(path: path, reason: "its failure lines (\(seeds.count) seeds) disagree with its summary's failed_seeds (\(failedSeeds?.count ?? 0)) or lie outside shard \(shard)'s seeds")
        }
        guard var tally = tally(report) else {
            throw ResultsError(path: path, reason: "the summary's report has a missing counter or a violation kind this sim does not know")
        }
        tally.failures = failures.map(\.failure)
        guard tally.seeds == (shardSeeds?.count ?? 0) else {
            throw ResultsError(path: path, reason: "summary counts \(tally.seeds) seeds; shard \(shard) of \(range) has \(shardSeeds?.count ?? 0)")
        }
        let withFlags = SweepSettings(mode: settings.mode, replicas: settings.replicas, partitions: settings.partitions,
                                      events: settings.events, faults: settings.faults, flags: flags)
        return ShardResults(range: range, shard: shard, shardSeeds: shardSeeds,
                            report: SweepReport(tally: tally, settings: withFlags, seconds: report["seconds"]?.doubleValue ?? 0),
                            failures: failures)
    }

    private static func settings(_ report: JSONValue) -> SweepSettings? {
        guard let mode = report["mode"]?.stringValue, let replicas = report["replicas"]?.intValue,
              let partitions = report["partitions"]?.intValue, let events = report["events_per_seed"]?.intValue,
              let faults = report["faults"]?.stringValue else { return nil }
        return SweepSettings(mode: mode, replicas: Int(replicas), partitions: Int(partitions), events: Int(events), faults: faults, flags: "")
    }

    /// The counters of a report (`failures` left empty).
    private static func tally(_ report: JSONValue) -> SweepTally? {
        guard let seeds = report["seeds"]?.intValue, let runs = report["runs"]?.intValue,
              let duplicates = report["runs_with_duplicates"]?.intValue, let violations = report["runs_with_violations"]?.intValue,
              let events = report["simulated_events"]?.intValue, let milliseconds = report["simulated_milliseconds"]?.intValue,
              let kinds = report["violations_by_kind"]?.objectValue,
              let counts = SweepTally.counts(kinds.map { ($0.0, Int($0.1.intValue ?? -1)) }), !counts.contains(where: { $0 < 0 })
        else { return nil }
        var tally = SweepTally()
        tally.seeds = Int(seeds)
        tally.runs = Int(runs)
        tally.violationsByKind = counts
        tally.runsWithDuplicates = Int(duplicates)
        tally.runsWithViolations = Int(violations)
        tally.simulatedEvents = Int(events)
        tally.simulatedMilliseconds = milliseconds
        return tally
    }

    /// The failure lines, in file order.
    private static func failureLines(_ lines: ArraySlice<Substring>, mode: String,
                                     path: String) throws(ResultsError) -> [(failure: SeedFailure, reproduce: String)] {
        var failures: [(failure: SeedFailure, reproduce: String)] = []
        for (number, line) in lines.enumerated() {
            guard case .success(let value) = JSONValue.parse(line), value["type"]?.stringValue == "failure",
                  let seed = value["seed"]?.intValue, let reproduce = value["reproduce"]?.stringValue,
                  let modeNames = value["failing_modes"]?.arrayValue?.compactMap(\.stringValue),
                  let kinds = value["violations_by_kind"]?.objectValue else {
                throw ResultsError(path: path, reason: "line \(number + 1): neither a failure line nor the final summary")
            }
            let modes = modeNames.compactMap(ProcessingMode.init(rawValue:))
            guard value["mode"]?.stringValue == mode, modes.count == modeNames.count,
                  let counts = SweepTally.counts(kinds.map { ($0.0, Int($0.1.intValue ?? -1)) }), !counts.contains(where: { $0 < 0 }) else {
                throw ResultsError(path: path, reason: "line \(number + 1): seed \(seed) names a mode or violation kind this sim does not know")
            }
            failures.append((SeedFailure(seed: UInt64(bitPattern: seed), modes: modes, violationsByKind: counts), reproduce))
        }
        return failures
    }
}
