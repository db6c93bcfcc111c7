import ArgumentParser

/// `sim`: the deterministic simulator. Without a subcommand it runs one seed.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Deterministic simulator of Kafka consumers scaled across replicas, before and after the replica-safe fixes.",
        discussion: """
            Exit status: 0 when every invariant held, 1 when any was violated (in either mode), 2 for bad arguments.
            Every failing run prints a one-line reproducer; the same seed replays the same run byte for byte.
            """,
        subcommands: [RunCommand.self, SweepCommand.self, MergeCommand.self, ShrinkCommand.self, ScaleCommand.self, TuneCommand.self,
                      AblateCommand.self, CheckHistoryCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// A run that found violations (or a determinism mismatch): exit status 1, after the report was printed.
struct InvariantsViolated: Error {}

@main
enum Entry {
    static func main() async {
        do {
            var command = try SimCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch is InvariantsViolated {
            SimCommand.exit(withError: ExitCode(1))
        } catch let code as ExitCode {
            SimCommand.exit(withError: code)
        } catch {
            let code = SimCommand.exitCode(for: error)
            if code == .success || code == ExitCode(1) { SimCommand.exit(withError: error) }
            // Bad arguments: a clear message and status 2 (ArgumentParser's own default would be 64).
            var standardError = StandardError()
            print(SimCommand.fullMessage(for: error), to: &standardError)
            print("Usage: \(SimCommand.usageString(for: error))", to: &standardError)
            SimCommand.exit(withError: ExitCode(2))
        }
    }
}

extension SimCommand {
    static func usageString(for error: Error) -> String {
        """
        sim [--seed N] [--replicas R] [--mode before|after|both] [--faults none|swarm|LIST] [--without M] [--json] [--trace]
            [--check-determinism] [--html FILE] [--svg FILE] [--keep-events I] [--keep-faults I] [--keep-scaling I]
               sim sweep --seeds A-B [--mode before|after|both] [--replicas R] [--shard I/N] [--results FILE] [--json]
               sim ablate [--max-seeds N] [--only M] [--json]
               sim merge FILE... [--json]
               sim shrink --seed N [--mode before|after] [--kind K] [--json]
               sim scale [--from-manifests DIR|FILE] [--seed N | --seeds A-B] [--mode before|after] [--json]
               sim tune [--from-manifests DIR|FILE] [--objective 'lag-drain<=120s'] [--seeds A-B] [--component DIR] [--svg FILE] [--json]
        """
    }
}
