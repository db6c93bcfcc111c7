import ArgumentParser
import Foundation
import Sim

/// `sim check-history --produced FILE HISTORY...`: a live run's worker histories (`HISTORY_FILE`) through the
/// simulator's own checkers, reported the way a simulated run is.
struct CheckHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-history",
        abstract: "Check live workers' histories (HISTORY_FILE) with the simulator's invariant checkers.",
        discussion: """
            --produced lists the events the producer had acknowledged, one JSON object per line with event_id,
            account_id and amount_cents (poison: true for an event that must be dead-lettered). Each HISTORY file
            is one worker's JSON Lines history (docs/live-history.md). Exit status: 0 when every checked
            invariant held, 1 when one was violated, 2 when a file cannot be read (the line and the reason on
            stderr).
            """)

    @Option(help: ArgumentHelp("The producer's acknowledged events (JSON Lines).", valueName: "file"))
    var produced: String

    @Argument(help: ArgumentHelp("The workers' history files.", valueName: "history"))
    var histories: [String]

    @Flag(help: "Print one JSON object (the last line of stdout).")
    var json = false

    @Option(help: "Violations to explain in the human report (the first of each cause).")
    var explanations = 5

    func validate() throws {
        guard !histories.isEmpty else { throw ValidationError("name at least one history file") }
    }

    func run() throws {
        let history: LiveHistory
        do {
            let events = try LiveHistory.readProduced(try Self.read(produced), file: produced)
            history = try LiveHistory.read(produced: events, files: try histories.map { ($0, try Self.read($0)) })
        } catch let error as LiveHistoryError {
            throw ValidationError(error.description)
        }
        let result = history.check()
        print(json ? result.json().serialized : result.summary(explanations: explanations))
        if !result.violations.isEmpty { throw InvariantsViolated() }
    }

    private static func read(_ path: String) throws(LiveHistoryError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LiveHistoryError(file: path, line: 0, reason: "cannot read it as UTF-8 text")
        }
        return text
    }
}
