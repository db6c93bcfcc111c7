/// How a list of violations is reported, the same for a simulated run (`RunResult.summary`) and a live
/// history (`sim check-history`): the verdict, the tally per cause, and the first violation of each cause.
public enum ViolationReport {
    /// Violations per (kind, cause), in order of first appearance.
    public static func byCause(_ violations: [Violation]) -> [(kind: Violation.Kind, cause: String, count: Int)] {
        var tally: [(kind: Violation.Kind, cause: String, count: Int)] = []
        for violation in violations {
            if let index = tally.firstIndex(where: { $0.kind == violation.kind && $0.cause == violation.cause }) {
                tally[index].count += 1
            } else {
                tally.append((violation.kind, violation.cause, 1))
            }
        }
        return tally
    }

    /// The first violation of each distinct (kind, cause): one per kind first, then the other causes.
    public static func representatives(_ violations: [Violation]) -> [Violation] {
        let firsts = byCause(violations).compactMap { entry in
            violations.first { $0.kind == entry.kind && $0.cause == entry.cause }
        }
        var ordered: [Violation] = []
        for kind in Violation.Kind.allCases {
            if let first = firsts.first(where: { $0.kind == kind }) { ordered.append(first) }
        }
        return ordered + firsts.filter { !ordered.contains($0) }
    }

    public static func byKind(_ violations: [Violation]) -> [(Violation.Kind, Int)] {
        Violation.Kind.allCases.compactMap { kind in
            let count = violations.filter { $0.kind == kind }.count
            return count > 0 ? (kind, count) : nil
        }
    }

    /// The `result:` and `causes:` lines and the first `explanations` representative violations.
    public static func lines(_ violations: [Violation], explanations: Int) -> [String] {
        guard !violations.isEmpty else { return ["  result:   every invariant held"] }
        var lines: [String] = []
        let kinds = byKind(violations).map { "\($0.0.rawValue) x\($0.1)" }.joined(separator: ", ")
        lines.append("  result:   VIOLATED: \(kinds)")
        let causes = byCause(violations).map { "\($0.kind.rawValue) / \($0.cause): \($0.count)" }
        lines.append("  causes:   " + causes.joined(separator: "; "))
        lines.append("")
        let shown = representatives(violations).prefix(explanations)
        lines.append("  The first violation of each cause:")
        for (index, violation) in shown.enumerated() {
            lines.append("  \(index + 1). [\(violation.kind.rawValue)] \(violation.explanation)")
        }
        if violations.count > shown.count {
            lines.append("  ... \(violations.count - shown.count) more (--json lists every one)")
        }
        return lines
    }
}
