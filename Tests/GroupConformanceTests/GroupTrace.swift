/// What one run of a scenario observed, step by step, in a form both worlds produce: generations advanced,
/// assignments, each commit's error code, and committed offsets.
struct GroupTrace: Sendable, CustomStringConvertible {
    struct Commit: Sendable, Equatable {
        var member: String
        var partitions: [Int32]
        var offset: Int64
        var code: String
    }

    struct Holding: Sendable, Equatable {
        var member: String
        /// Orders members as the range assignor does (member id); the live ids are the mock's pointers.
        var memberKey: String
        var partitions: [Int32]
        /// Partitions the member held before the step and still holds (stickiness).
        var kept: Int
        /// Partitions the member held before the step.
        var heldBefore: Int

        /// Partitions beyond the minimum this member gave up: it could have kept as many of its old ones as its
        /// new count allows.
        var movedNeedlessly: Int { min(heldBefore, partitions.count) - kept }
    }

    struct Step: Sendable {
        var action: String
        var generations: Int32?
        var assignment: [Holding]?
        var commits: [Commit] = []
        var committed: [Int64?]?
    }

    /// The generation of the first round (Apache Kafka and the simulator: 1; compared apart from the steps).
    var firstGeneration: Int32?
    var steps: [Step] = []

    mutating func begin(_ step: GroupStep) { steps.append(Step(action: step.description)) }

    mutating func update(_ change: (inout Step) -> Void) { change(&steps[steps.count - 1]) }

    var description: String {
        steps.enumerated().map { index, step in
            var lines = ["  \(index) \(step.action)" + (step.generations.map { "  (generations +\($0))" } ?? "")]
            if let assignment = step.assignment {
                lines.append("      assignment " + assignment.map { "\($0.member)=\(Observe.list($0.partitions))" }.joined(separator: " "))
            }
            lines += step.commits.map { "      commit \($0.member) \(Observe.list($0.partitions))@\($0.offset) -> \($0.code)" }
            if let committed = step.committed { lines.append("      " + Observe.committed(committed)) }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// The observation lines both worlds are compared on: range assignments exactly (in member-id order),
/// cooperative-sticky ones by what stickiness fixes (see `stickyLines`); commits by the partitions and offset
/// they carry and the codes they got; committed offsets.
enum Observe {
    static func comparable(_ step: GroupTrace.Step, _ rebalanceProtocol: GroupScenario.RebalanceProtocol) -> [String] {
        rebalanceProtocol == .cooperative ? stickyLines(step) : rangeLines(step)
    }

    private static func rangeLines(_ step: GroupTrace.Step) -> [String] {
        var lines: [String] = []
        if let assignment = step.assignment {
            lines.append("assignment " + assignment.sorted { $0.memberKey < $1.memberKey }.map { list($0.partitions) }.joined(separator: " "))
        }
        // By partitions, not by name: which named member holds which range follows the member ids, and the
        // mock's ids are pointers.
        for key in Array(Set(step.commits.map { "\(list($0.partitions))@\($0.offset)" })).sorted() {
            let codes = Set(step.commits.filter { "\(list($0.partitions))@\($0.offset)" == key }.map(\.code))
            lines.append("commit \(key) -> \(codes.sorted().joined(separator: "|"))")
        }
        if let committed = step.committed { lines.append(Self.committed(committed)) }
        return lines
    }

    /// Sticky assignors agree on how many partitions each member holds and that no member gives up more of
    /// its partitions than the new counts require, not on which member gives up which partition (nor, so, on
    /// how many stay put in total: that follows which member held the extra partition before). This compares
    /// counts, partitions moved beyond that minimum, and commits by size.
    private static func stickyLines(_ step: GroupTrace.Step) -> [String] {
        var lines: [String] = []
        if let assignment = step.assignment {
            let counts = assignment.map(\.partitions.count).sorted().map(String.init).joined(separator: ",")
            lines.append("assignment counts \(counts) moved beyond the minimum \(assignment.map(\.movedNeedlessly).reduce(0, +))")
        }
        for commit in step.commits {
            lines.append("commit \(commit.partitions.count) partitions@\(commit.offset) -> \(commit.code)")
        }
        if let committed = step.committed {
            lines.append("committed " + committed.map { $0.map(String.init) ?? "-" }.sorted().joined(separator: ","))
        }
        return lines.sorted()
    }

    static func committed(_ offsets: [Int64?]) -> String {
        "committed " + offsets.enumerated().map { "\($0.offset)=\($0.element.map(String.init) ?? "-")" }.joined(separator: " ")
    }

    static func list(_ partitions: [Int32]) -> String { "[" + partitions.sorted().map(String.init).joined(separator: ",") + "]" }
}
