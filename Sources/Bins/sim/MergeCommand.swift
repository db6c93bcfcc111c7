import ArgumentParser
import Core
import Foundation
import Sim

/// `sim merge shard-*.jsonl`: the results files of `sim sweep --shard I/N --results FILE` combined into the
/// report one sweep over the whole range prints, then the failing seeds with their reproducers.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the results files of a sharded sweep into the whole sweep's report.",
        discussion: """
            Counts and sums merge exactly; `seconds` is the sum of the shards' wall times (the rates divide by it,
            so they are per shard machine), `longest_shard_seconds` the slowest shard. Exit status: 0 when no seed
            failed, 1 when some did, 2 when the files are not one complete sweep (a shard missing, duplicated,
            cut short, or from another range or scenario), with the reason on stderr.
            """)

    @Argument(help: ArgumentHelp("Results files (sim sweep --results), or directories holding *.jsonl results files.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print one JSON object (the last line of stdout): the keys of `sim sweep --json`, then shards, range, longest_shard_seconds.")
    var json = false

    @Option(help: "Failing seeds to list with their reproducers (human report).")
    var show = 20

    func run() throws {
        let merge: ShardMerge
        do {
            merge = try ShardMerge(files: try readFiles())
        } catch {
            throw ValidationError(error.description)
        }
        if json {
            print(JSONValue.object(merge.pairs).serialized)
        } else {
            print(text(merge))
        }
        if !merge.failures.isEmpty { throw InvariantsViolated() }
    }

    private func text(_ merge: ShardMerge) -> String {
        var lines = [merge.report.text(title: "merged \(merge.shards) shards of seeds \(merge.range)",
                                       firstReproduce: merge.failures.first?.reproduce)]
        lines.append("  seconds are summed over the shards; the longest shard took \((merge.longestShardSeconds * 100).rounded() / 100) s")
        for entry in merge.failures.prefix(max(0, show)) {
            let kinds = entry.failure.kinds.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            lines.append("  seed \(entry.failure.seed) (\(kinds)): \(entry.reproduce)")
        }
        if merge.failures.count > show { lines.append("  ... \(merge.failures.count - show) more (--show N, or the files' failure lines)") }
        return lines.joined(separator: "\n")
    }

    /// Every named file, and the *.jsonl files of every named directory (sorted), with their text.
    private func readFiles() throws(ResultsError) -> [(path: String, text: String)] {
        var paths: [String] = []
        for path in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ResultsError(path: path, reason: "no such file")
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
                guard !names.isEmpty else { throw ResultsError(path: path, reason: "directory holds no *.jsonl results file") }
                paths += names.map { "\(path)/\($0)" }
            } else {
                paths.append(path)
            }
        }
        return try paths.map { path throws(ResultsError) in
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ResultsError(path: path, reason: "cannot read it as UTF-8 text")
            }
            return (path, text)
        }
    }
}
