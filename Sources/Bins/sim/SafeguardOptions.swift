import ArgumentParser
import Core

/// `--without NAME[,NAME...]`: `after` mechanisms to switch off (ablation). Repeatable.
struct SafeguardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Switch off after-mode mechanisms (ablation), comma-separated or repeated: \(Safeguard.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "mechanism"))
    var without: [SafeguardList] = []

    var safeguards: [Safeguard] { Array(Set(without.flatMap(\.safeguards))).sorted() }

    /// `--without` only changes the `after` mode.
    func validate(modes: [ProcessingMode]) throws {
        if !safeguards.isEmpty, !modes.contains(.after) {
            throw ValidationError("--without switches off after-mode mechanisms: use it with --mode after or both")
        }
    }

    /// The flag for reproducer lines ("" when nothing is switched off).
    var flag: String { safeguards.isEmpty ? "" : " --without \(safeguards.map(\.rawValue).joined(separator: ","))" }
}

struct SafeguardList: ExpressibleByArgument {
    var safeguards: [Safeguard]

    init?(argument: String) {
        var parsed: [Safeguard] = []
        for name in argument.split(separator: ",") {
            guard let safeguard = Safeguard(rawValue: String(name)) else { return nil }
            parsed.append(safeguard)
        }
        guard !parsed.isEmpty else { return nil }
        safeguards = parsed
    }

    static var allValueStrings: [String] { Safeguard.allCases.map(\.rawValue) }
}
