import Core
import Sim

/// `sim ablate`'s report. The human table holds no wall-clock figure, so the docs can quote it and have it
/// checked; the JSON adds the seconds.
struct AblationReport {
    var findings: [AblationFinding]
    var maxSeeds: Int
    var options: ScenarioOptions

    func reproduce(_ finding: AblationFinding) -> String? {
        finding.firstSeed.map { options.reproduce(seed: $0, mode: "after", without: " --without \(finding.mechanism.rawValue)") }
    }

    var text: String {
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
        var lines = [
            "sim ablate: after mode with one mechanism switched off, seeds 1-\(maxSeeds) until a run ends in the violation that names its failure",
            "  scenario: \(options.replicas) replicas, \(options.partitions) partitions, \(options.events) events/seed, faults \(options.faults)",
            "",
            "  " + pad("mechanism", 30) + pad("caught", 8) + pad("violation kind", 27) + pad("first seed", 12) + "seeds tried",
        ]
        for finding in findings {
            lines.append("  " + pad(finding.mechanism.rawValue, 30) + pad(finding.caught ? "yes" : "NO", 8)
                         + pad(finding.mechanism.failure.rawValue, 27) + pad(finding.firstSeed.map(String.init) ?? "-", 12)
                         + "\(finding.seedsTried)")
        }
        lines.append("")
        for finding in findings {
            lines.append("  " + (reproduce(finding) ?? "\(finding.mechanism.rawValue): no violation of \(finding.mechanism.failure.rawValue) in \(finding.seedsTried) seeds"))
        }
        let uncaught = findings.filter { !$0.caught }.map(\.mechanism.rawValue)
        lines.append("")
        lines.append(uncaught.isEmpty ? "  every mechanism caught (\(findings.count) of \(findings.count))"
                                      : "  UNCAUGHT: \(uncaught.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    func json(seconds: Double) -> JSONValue {
        .object([
            ("mechanisms", .array(findings.map { finding in
                .object([
                    ("mechanism", .string(finding.mechanism.rawValue)),
                    ("caught", .bool(finding.caught)),
                    ("violation_kind", .string(finding.mechanism.failure.rawValue)),
                    ("first_seed", finding.firstSeed.map { .int(Int64(bitPattern: $0)) } ?? .null),
                    ("seeds_tried", .int(finding.seedsTried)),
                    ("reproduce", reproduce(finding).map { .string($0) } ?? .null),
                ])
            })),
            ("caught", .int(findings.filter(\.caught).count)),
            ("uncaught", .array(findings.filter { !$0.caught }.map { .string($0.mechanism.rawValue) })),
            ("max_seeds", .int(maxSeeds)),
            ("replicas", .int(options.replicas)),
            ("partitions", .int(options.partitions)),
            ("events_per_seed", .int(options.events)),
            ("faults", .string(options.faults.description)),
            ("seconds", .double(seconds)),
        ])
    }
}
