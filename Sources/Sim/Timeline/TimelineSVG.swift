/// A static picture of one run's timeline: a standalone SVG file (no script, no external reference; the
/// only URI in it is the SVG namespace name, which is never fetched). Tooltips are SVG `<title>`s.
public enum TimelineSVG {
    public static func render(_ timeline: Timeline) -> String {
        let chart = TimelineChart(timeline: timeline, scale: TimelineScale(end: timeline.duration), idPrefix: "",
                                  titled: true)
        let title = "ReplicaSafe timeline: seed \(timeline.seed), mode \(timeline.mode), \(timeline.partitions) partitions, "
            + "\(timeline.violations.count) violation\(timeline.violations.count == 1 ? "" : "s")"
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + chart.svg(standalone: true, title: title) + "\n"
    }
}
