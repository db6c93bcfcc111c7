/// The key under a chart: pod colours, violation kinds with their counts, commits, overlays and marks.
/// Laid out in rows that wrap at the chart width; text width is estimated (6 px per character at 10 px).
struct TimelineLegend {
    enum Swatch {
        /// The row's heading, left of the plot.
        case title
        case fill(String)
        case pattern(String)
        case marker(String)
        case tick(String)
        case line(String)
    }

    private var items: [(y: Int, x: Int64, swatch: Swatch, label: String)] = []
    private(set) var height = 0

    init(top: Int, left: Int64, right: Int64, rows: [(title: String, entries: [(Swatch, String)])]) {
        var y = top
        for row in rows where !row.entries.isEmpty {
            var x = left
            items.append((y, 8, .title, row.title))
            for (swatch, label) in row.entries {
                let width = Int64(label.count * 6 + 26)
                if x + width > right, x > left {
                    y += 16
                    x = left
                }
                items.append((y, x, swatch, label))
                x += width
            }
            y += 18
        }
        height = y - top
    }

    func draw(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "legend")])
        for item in items {
            let x = item.x, y = item.y
            switch item.swatch {
            case .title:
                markup.element("text", [("class", "legend-title"), ("x", "\(x)"), ("y", "\(y + 10)")], text: item.label)
                continue
            case .fill(let colour):
                markup.empty("rect", [("x", "\(x)"), ("y", "\(y + 1)"), ("width", "14"), ("height", "10"), ("fill", colour),
                                      ("stroke", "#888888")])
            case .pattern(let reference):
                markup.empty("rect", [("x", "\(x)"), ("y", "\(y + 1)"), ("width", "14"), ("height", "10"),
                                      ("fill", reference), ("stroke", "#888888")])
            case .marker(let colour):
                markup.empty("path", [("fill", colour), ("stroke", "#222222"), ("d", "M\(x + 7) \(y)l5 5-5 5-5-5z")])
            case .tick(let cssClass):
                markup.empty("path", [("class", cssClass), ("d", "M\(x + 7) \(y)v11")])
            case .line(let cssClass):
                markup.empty("line", [("class", cssClass), ("x1", "\(x + 7)"), ("x2", "\(x + 7)"), ("y1", "\(y)"),
                                      ("y2", "\(y + 12)")])
            }
            markup.element("text", [("x", "\(x + 18)"), ("y", "\(y + 10)")], text: item.label)
        }
        markup.close("g")
    }
}

extension TimelineChart {
    func legendRows() -> TimelineLegend {
        let pods = timeline.pods.enumerated().map { (TimelineLegend.Swatch.fill(TimelinePalette.pod($0.offset)), $0.element.name) }
        var kinds: [(String, Int)] = []
        for violation in timeline.violations {
            if let index = kinds.firstIndex(where: { $0.0 == violation.kind }) { kinds[index].1 += 1 } else { kinds.append((violation.kind, 1)) }
        }
        let accepted = timeline.commits.filter(\.accepted).count
        let marks: [(TimelineLegend.Swatch, String)] = [
            (.tick("legend-commit-ok"), "commit accepted (\(accepted))"),
            (.tick("legend-commit-rejected"), "commit rejected (\(timeline.commits.count - accepted))"),
            (.pattern("url(#\(id("hatch-frozen")))"), "owner/pod frozen"),
            (.pattern("url(#\(id("hatch-dead")))"), "owner dead, still a member"),
            (.line("legend-generation"), "group round (generation)"),
            (.line("legend-fault"), "fault"),
        ]
        return TimelineLegend(top: layout.legendY, left: scale.left, right: scale.right, rows: [
            ("pods", pods),
            ("violations", kinds.isEmpty ? [(.fill("#ffffff"), "none")]
                : kinds.map { (.marker(TimelinePalette.violation($0.0)), "\($0.0) (\($0.1))") }),
            ("marks", marks),
        ])
    }
}
