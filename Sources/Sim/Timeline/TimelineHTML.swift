/// One self-contained HTML page for one or two runs (`--mode both`: before above after, on one shared time
/// scale so the same moment lines up). Inline CSS, script and SVG only; the Content-Security-Policy forbids
/// the browser every fetch but inline style, inline script and `data:` images.
public enum TimelineHTML {
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

    public static func render(_ timelines: [Timeline]) -> String {
        let scale = TimelineScale(end: timelines.map(\.duration).max() ?? 1)
        let prefixes = idPrefixes(timelines)
        let seeds = unique(timelines.map { "\($0.seed)" })
        let modes = timelines.map(\.mode)
        var markup = TimelineMarkup()
        markup.raw("<!DOCTYPE html>\n")
        markup.open("html", [("lang", "en")])
        markup.open("head")
        // The policy comes first so it governs everything after it.
        markup.open("meta", [("http-equiv", "Content-Security-Policy"), ("content", contentSecurityPolicy)])
        markup.open("meta", [("charset", "utf-8")])
        markup.open("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        markup.element("title", text: "ReplicaSafe timeline: seed \(seeds.joined(separator: ", ")), mode \(modes.joined(separator: " and "))")
        markup.open("style")
        markup.raw(TimelineScript.pageStyle)
        markup.raw(TimelineStyle.chart)
        markup.close("style")
        markup.close("head")
        markup.open("body", [("data-runs", "\(timelines.count)")])
        header(&markup, seeds: seeds, modes: modes, timelines: timelines)
        for (timeline, prefix) in zip(timelines, prefixes) {
            section(&markup, timeline: timeline, chart: TimelineChart(timeline: timeline, scale: scale, idPrefix: prefix,
                                                                        titled: false))
        }
        markup.open("pre", [("id", "timeline-selected"), ("hidden", "hidden"), ("title", "click to close")])
        markup.close("pre")
        markup.open("script")
        markup.raw(TimelineScript.page)
        markup.close("script")
        markup.close("body")
        markup.close("html")
        markup.raw("\n")
        return markup.text
    }

    private static func header(_ markup: inout TimelineMarkup, seeds: [String], modes: [String], timelines: [Timeline]) {
        markup.open("header")
        markup.element("h1", text: "ReplicaSafe postmortem timeline")
        let partitions = unique(timelines.map { "\($0.partitions)" }).joined(separator: "/")
        markup.element("p", [("class", "stats")], text: timelines.isEmpty ? "No run to show."
            : "seed \(seeds.joined(separator: ", ")) · mode \(modes.joined(separator: ", then ")) · \(partitions) partitions · virtual time (simulated milliseconds, not wall time)")
        markup.open("details")
        markup.element("summary", text: "How to read it")
        markup.open("ul")
        for line in [
            "x is virtual time. Lanes from the top: scaling steps, faults (triangles; their dotted lines cross every lane), one lane per pod (alive span in the pod's colour, hatched blue while frozen, a red cross where it was SIGKILLed, a black bar where it exited), then one lane per partition.",
            "A partition lane is coloured by the pod that owned it from each group round (dashed lines, labelled g<generation>) until the next. Hatching inside it: the owner was frozen (blue) or already dead (grey) while the coordinator still counted it as a member.",
            "Ticks under a partition: green = an offset commit accepted by the coordinator, red = rejected (stale generation or unknown member).",
            "Diamonds are violations, one per violation, at the partition and time of the write that broke the invariant; violations that name no partition (balances, settlements) sit on the last lane. Hover for the explanation; click to find it in the list; the list links back.",
        ] {
            markup.element("li", text: line)
        }
        markup.close("ul")
        markup.close("details")
        markup.close("header")
    }

    private static func section(_ markup: inout TimelineMarkup, timeline: Timeline, chart: TimelineChart) {
        let count = timeline.violations.count
        markup.open("section", [("class", "run"), ("id", chart.id("run")), ("data-mode", timeline.mode),
                                ("data-violations", "\(count)")])
        markup.element("h2", text: "Mode \(timeline.mode): \(count) violation\(count == 1 ? "" : "s")")
        let rejected = timeline.commits.filter { !$0.accepted }.count
        markup.element("p", [("class", "stats")], text: [
            "seed \(timeline.seed)", "\(timeline.partitions) partitions", "\(timeline.pods.count) pods",
            "\(timeline.rounds.count) group rounds", "\(timeline.freezes.count) freezes",
            "\(timeline.commits.count) commits (\(rejected) rejected)", "\(timeline.faults.count) faults",
            "\(timeline.scaling.count) scaling steps", "ran \(TimelineFormat.time(timeline.duration)) of virtual time",
        ].joined(separator: " · "))
        let kinds = kindCounts(timeline)
        if !kinds.isEmpty {
            markup.open("div", [("class", "filters")])
            markup.content("Show: ")
            for (kind, number) in kinds {
                markup.open("label")
                markup.open("input", [("type", "checkbox"), ("checked", "checked"), ("data-filter-kind", kind)])
                markup.open("span", [("class", "swatch"), ("style", "background:\(TimelinePalette.violation(kind))")])
                markup.close("span")
                markup.content("\(kind) (\(number))")
                markup.close("label")
            }
            markup.close("div")
        }
        markup.open("div", [("class", "chart-scroll")])
        markup.raw(chart.svg(standalone: false, title: nil))
        markup.close("div")
        markup.element("h3", text: "Violations (\(count))")
        if count == 0 {
            markup.element("p", text: "Every invariant held.")
        } else {
            markup.open("ol", [("class", "violation-list")])
            for (index, violation) in timeline.violations.enumerated() {
                let marker = chart.markerID(index)
                markup.open("li", [("data-kind", violation.kind), ("data-marker", marker)])
                markup.element("a", [("href", "#" + marker), ("data-marker", marker)], text: TimelineChart.headline(violation))
                markup.element("p", text: violation.explanation)
                markup.close("li")
            }
            markup.close("ol")
        }
        markup.close("section")
    }

    /// `before-`, `after-`; a repeated mode gets its position appended so ids stay unique.
    private static func idPrefixes(_ timelines: [Timeline]) -> [String] {
        var used: [String] = []
        return timelines.enumerated().map { index, timeline in
            var prefix = TimelineEscape.identifier(timeline.mode) + "-"
            if used.contains(prefix) { prefix = TimelineEscape.identifier(timeline.mode) + "\(index + 1)-" }
            used.append(prefix)
            return prefix
        }
    }

    private static func kindCounts(_ timeline: Timeline) -> [(String, Int)] {
        var counts: [(String, Int)] = []
        for violation in timeline.violations {
            if let index = counts.firstIndex(where: { $0.0 == violation.kind }) { counts[index].1 += 1 } else { counts.append((violation.kind, 1)) }
        }
        return counts
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen: [String] = []
        for value in values where !seen.contains(value) { seen.append(value) }
        return seen
    }
}
