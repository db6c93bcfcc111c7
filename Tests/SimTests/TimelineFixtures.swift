import Core
@testable import Sim

/// Runs and timelines shared by the timeline tests: seed 42 of the default scenario fails in `before` mode with
/// hundreds of violations (some with no partition), and holds in `after` mode.
enum TimelineFixtures {
    static let scenario = ScenarioGenerator().generate(seed: 42)
    static let before = Simulation.run(scenario, mode: .before, options: RunOptions(explain: true, timeline: true))
    static let after = Simulation.run(scenario, mode: .after, options: RunOptions(explain: true, timeline: true))

    static func markers(_ elements: [TimelineMarkupScanner.Element]) -> [TimelineMarkupScanner.Element] {
        elements.filter { $0.attributes["data-violation-kind"] != nil }
    }

    /// A timeline whose every string tries to break out of its place in the markup.
    static let hostile = Timeline(
        seed: 7, mode: "be\"fore<x> href=\"javascript:alert(1)", partitions: 2, duration: 10_000,
        pods: [.init(name: "w<0>&\"'", started: 100, ended: 5_000, endReason: "killed <b>now</b>"),
               .init(name: "w1.1", started: 200, ended: nil, endReason: "")],
        freezes: [.init(pod: "w<0>&\"'", from: 1_000, until: 2_000)],
        rounds: [.init(time: 500, generation: 1, owners: [.init(pod: "w<0>&\"'", member: 1, partitions: [0, 1])]),
                 .init(time: 6_000, generation: 2, owners: [.init(pod: "w1.1", member: 2, partitions: [0, 1])])],
        commits: [.init(time: 3_000, pod: "w<0>&\"'", member: 1, generation: 1, partition: 0, offset: 5, accepted: true),
                  .init(time: 7_000, pod: "w<0>&\"'", member: 1, generation: 1, partition: 1, offset: 9, accepted: false)],
        faults: [.init(time: 4_000, label: "<script>alert(1)</script>", detail: "\"><img src=x onerror=alert(1)>")],
        scaling: [.init(time: 0, label: "<svg onload=alert(1)>", detail: "")],
        violations: [
            .init(time: 7_000, kind: "dup\"><b>x</b>", cause: "a&b <i>", partition: 1, offset: 9,
                  explanation: "</title><script>alert('x')</script>\u{01}\u{FFFF} & more"),
            .init(time: 9_000, kind: "balance-mismatch", cause: "wrong balance", partition: nil, offset: nil,
                  explanation: "acct <1> off by 5 cents"),
        ])

    /// Every element the renderers write; anything else in the output was injected.
    static let allowedElements: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "details", "summary", "ul",
        "ol", "li", "section", "div", "label", "input", "span", "a", "pre", "script",
        "svg", "defs", "pattern", "rect", "text", "g", "line", "path",
    ]
}
