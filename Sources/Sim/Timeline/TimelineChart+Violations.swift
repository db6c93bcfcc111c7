/// One marker per violation, on the lane of the partition it names (or the "no partition" lane for balances
/// and settlements) at the time of the violating write. Drawn last, on top of everything.
extension TimelineChart {
    func markerID(_ index: Int) -> String { id("v-\(index)") }

    func violationMarkers(_ markup: inout TimelineMarkup) {
        markup.open("g", [("class", "violations")])
        // Markers at the same place are spread over three heights so a cluster still shows it is several.
        var perLane: [Int32: Int] = [:]
        for (index, violation) in timeline.violations.enumerated() {
            let onPartition = Layout.isPartition(violation.partition, of: timeline)
            let laneKey: Int32 = onPartition ? violation.partition! : -1
            let laneY = onPartition ? layout.partitionY(violation.partition!) : (layout.otherY ?? layout.lanesBottom)
            let slot = perLane[laneKey, default: 0]
            perLane[laneKey] = slot + 1
            let centre = laneY + 9 + [0, -4, 4][slot % 3]
            let x = TimelineFormat.tenths(scale.x(violation.time))
            var attributes: TimelineMarkup.Attributes = [
                ("class", "violation"), ("id", markerID(index)), ("tabindex", "0"),
                ("data-violation-kind", violation.kind), ("data-cause", violation.cause),
                ("data-partition", violation.partition.map { "\($0)" } ?? "none"),
            ]
            if let offset = violation.offset { attributes.append(("data-offset", "\(offset)")) }
            attributes.append(("data-time-ms", "\(violation.time)"))
            markup.open("g", attributes)
            markup.element("title", text: Self.headline(violation) + "\n" + violation.explanation)
            markup.empty("path", [("fill", TimelinePalette.violation(violation.kind)),
                                  ("d", "M\(x) \(centre - 5)l5 5-5 5-5-5z")])
            markup.close("g")
        }
        markup.close("g")
    }

    /// `12.345s duplicate-effect (SIGKILL before commit) p3@120`.
    static func headline(_ violation: Timeline.ViolationMark) -> String {
        var text = "\(TimelineFormat.time(violation.time)) \(violation.kind)"
        if !violation.cause.isEmpty { text += " (\(violation.cause))" }
        if let partition = violation.partition {
            text += " p\(partition)"
            if let offset = violation.offset { text += "@\(offset)" }
        }
        return text
    }
}
