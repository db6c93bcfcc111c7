/// One run drawn as SVG: lanes for scaling, faults, pods and partitions over virtual time, generation
/// boundaries, commit ticks and one marker per violation on the lane (partition) and time that caused it.
/// `TimelineSVG` wraps it in a standalone file; `TimelineHTML` embeds it in a page.
struct TimelineChart {
    let timeline: Timeline
    let scale: TimelineScale
    /// Prefix of every id in the chart, so two charts in one page never collide.
    let idPrefix: String
    let layout: Layout
    /// Lookups only (never iterated: iteration order would depend on the per-process hash seed).
    let podIndex: [String: Int]

    /// Vertical positions in pixels, top to bottom.
    struct Layout {
        static let scalingHeight = 22
        static let faultsHeight = 42
        static let podHeight = 16
        static let generationHeight = 28
        static let partitionHeight = 26
        static let axisHeight = 40

        var scalingY: Int
        var faultsY: Int
        var podsY: Int
        var generationY: Int
        var partitionsY: Int
        /// The lane for violations that name no partition (balances, settlements), when there are any.
        var otherY: Int?
        var axisY: Int
        var legendY: Int

        init(timeline: Timeline, top: Int) {
            scalingY = top
            faultsY = scalingY + Self.scalingHeight
            podsY = faultsY + Self.faultsHeight
            generationY = podsY + timeline.pods.count * Self.podHeight + 6
            partitionsY = generationY + Self.generationHeight
            var next = partitionsY + max(0, timeline.partitions) * Self.partitionHeight
            if timeline.violations.contains(where: { !Self.isPartition($0.partition, of: timeline) }) {
                otherY = next
                next += Self.partitionHeight
            }
            axisY = next + 4
            legendY = axisY + Self.axisHeight
        }

        static func isPartition(_ partition: Int32?, of timeline: Timeline) -> Bool {
            guard let partition else { return false }
            return partition >= 0 && Int(partition) < timeline.partitions
        }

        func partitionY(_ partition: Int32) -> Int { partitionsY + Int(partition) * Self.partitionHeight }

        /// Bottom of the last lane: where generation and fault lines end.
        var lanesBottom: Int { axisY - 4 }
    }

    init(timeline: Timeline, scale: TimelineScale, idPrefix: String, titled: Bool) {
        self.timeline = timeline
        self.scale = scale
        self.idPrefix = idPrefix
        self.layout = Layout(timeline: timeline, top: titled ? 30 : 6)
        var index: [String: Int] = [:]
        for (position, pod) in timeline.pods.enumerated() where index[pod.name] == nil { index[pod.name] = position }
        self.podIndex = index
    }

    var width: Int64 { scale.right + 32 }

    /// The `<svg>` element. `standalone` adds the XML namespace (a file on its own needs it; SVG inside HTML
    /// does not) and the style sheet; in a page the style sheet is the page's.
    func svg(standalone: Bool, title: String?) -> String {
        let legend = legendRows()
        let height = layout.legendY + legend.height + 8
        var markup = TimelineMarkup()
        var attributes: TimelineMarkup.Attributes = []
        if standalone { attributes.append(("xmlns", "http://www.w3.org/2000/svg")) }
        attributes += [
            ("class", "timeline-chart"), ("width", "\(width)"), ("height", "\(height)"),
            ("viewBox", "0 0 \(width) \(height)"), ("role", "img"),
            ("aria-label", "Timeline of seed \(timeline.seed), mode \(timeline.mode)"),
            ("data-mode", timeline.mode), ("data-seed", "\(timeline.seed)"),
            ("data-partitions", "\(timeline.partitions)"), ("data-violations", "\(timeline.violations.count)"),
        ]
        markup.open("svg", attributes)
        if standalone {
            markup.open("style")
            markup.raw(TimelineStyle.chart)
            markup.close("style")
            markup.empty("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        }
        definitions(&markup)
        if let title { markup.element("text", [("class", "chart-title"), ("x", "8"), ("y", "18")], text: title) }
        laneBackgrounds(&markup)
        grid(&markup)
        faultLines(&markup)
        generationLines(&markup)
        scalingLane(&markup)
        faultsLane(&markup)
        podLanes(&markup)
        partitionLanes(&markup)
        violationMarkers(&markup)
        axis(&markup)
        legend.draw(&markup)
        markup.close("svg")
        return markup.text
    }

    func id(_ local: String) -> String { idPrefix + local }

    /// Hatching for owners that were frozen or dead while the coordinator still counted them as members.
    private func definitions(_ markup: inout TimelineMarkup) {
        markup.open("defs")
        for (name, colour, stripe) in [("hatch-frozen", "#1f3a93", "3"), ("hatch-dead", "#444444", "2")] {
            markup.open("pattern", [("id", id(name)), ("width", "6"), ("height", "6"),
                                    ("patternUnits", "userSpaceOnUse"), ("patternTransform", "rotate(45)")])
            markup.empty("rect", [("width", stripe), ("height", "6"), ("fill", colour), ("fill-opacity", "0.6")])
            markup.close("pattern")
        }
        markup.close("defs")
    }

    /// Lane backgrounds and labels, under everything else.
    private func laneBackgrounds(_ markup: inout TimelineMarkup) {
        var lanes: [(y: Int, height: Int, label: String, kind: String)] = [
            (layout.scalingY, Layout.scalingHeight, "scaling", "section"),
            (layout.faultsY, Layout.faultsHeight, "faults", "section"),
        ]
        for (index, pod) in timeline.pods.enumerated() {
            lanes.append((layout.podsY + index * Layout.podHeight, Layout.podHeight, pod.name, "pod"))
        }
        lanes.append((layout.generationY, Layout.generationHeight, "generations", "section"))
        for partition in 0..<max(0, timeline.partitions) {
            lanes.append((layout.partitionY(Int32(partition)), Layout.partitionHeight, "p\(partition)", "partition"))
        }
        if let otherY = layout.otherY { lanes.append((otherY, Layout.partitionHeight, "no partition", "other")) }
        markup.open("g", [("class", "lane-backgrounds")])
        for (index, lane) in lanes.enumerated() {
            markup.empty("rect", [("class", index % 2 == 0 ? "lane-bg even" : "lane-bg odd"), ("x", "0"),
                                  ("y", "\(lane.y)"), ("width", "\(scale.right + 8)"), ("height", "\(lane.height)")])
            markup.element("text", [("class", "lane-label \(lane.kind)"), ("x", "8"),
                                    ("y", "\(lane.y + min(lane.height, 26) / 2 + 4)")], text: lane.label)
        }
        markup.close("g")
    }

    private func grid(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "grid")])
        for tick in scale.ticks {
            let x = TimelineFormat.tenths(scale.x(tick))
            markup.empty("line", [("x1", x), ("x2", x), ("y1", "\(layout.scalingY)"), ("y2", "\(layout.axisY)")])
        }
        markup.close("g")
    }

    private func axis(_ markup: inout TimelineMarkup) {
        let y = layout.axisY
        markup.open("g", [("class", "axis")])
        markup.empty("line", [("x1", "\(scale.left)"), ("x2", "\(scale.right)"), ("y1", "\(y)"), ("y2", "\(y)")])
        for tick in scale.ticks {
            let x = TimelineFormat.tenths(scale.x(tick))
            markup.empty("line", [("x1", x), ("x2", x), ("y1", "\(y)"), ("y2", "\(y + 5)")])
            markup.element("text", [("class", "tick"), ("x", x), ("y", "\(y + 16)")],
                           text: TimelineFormat.axisLabel(tick))
        }
        markup.element("text", [("class", "axis-title"), ("x", "\(scale.left + scale.width / 2)"), ("y", "\(y + 32)")],
                       text: "virtual time since the run started (run ended at \(TimelineFormat.time(timeline.duration)))")
        markup.close("g")
    }
}
