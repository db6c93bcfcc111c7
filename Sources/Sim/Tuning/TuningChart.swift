/// The Pareto front as a self-contained SVG (no script, no external reference): one scatter panel per
/// autoscaler, cost across, the service measure up; every evaluated candidate a mark with its settings and
/// measures in a `<title>` tooltip; the front in blue, candidates that break a twin property as red crosses,
/// the shipped settings as a black ring and the recommendation as a green ring; the objective's bound dashed.
public enum TuningChart {
    public struct Point: Sendable {
        public enum Role: String, Sendable { case candidate, front, infeasible }
        public var x: Double
        /// nil: never (drawn on the top edge).
        public var y: Double?
        public var role: Role
        public var shipped: Bool
        public var recommended: Bool
        public var tooltip: String

        public init(x: Double, y: Double?, role: Role, shipped: Bool, recommended: Bool, tooltip: String) {
            self.x = x
            self.y = y
            self.role = role
            self.shipped = shipped
            self.recommended = recommended
            self.tooltip = tooltip
        }
    }

    public struct Panel: Sendable {
        public var title: String
        public var xLabel: String
        public var yLabel: String
        public var points: [Point]
        public var bound: Double?

        public init(title: String, xLabel: String, yLabel: String, points: [Point], bound: Double?) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
            self.points = points
            self.bound = bound
        }
    }

    static let panelWidth = 520.0
    static let panelHeight = 380.0

    public static func svg(title: String, panels: [Panel]) -> String {
        let width = panelWidth * Double(panels.count) + 20
        let height = panelHeight + 90
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<title>\(escape(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        out += "<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
        for (index, panel) in panels.enumerated() {
            out += render(panel, left: 10 + Double(index) * panelWidth, top: 30)
        }
        out += legend(top: height - 22)
        out += "</svg>\n"
        return out
    }

    private static func render(_ panel: Panel, left: Double, top: Double) -> String {
        let plotLeft = left + 55, plotTop = top + 22, plotWidth = panelWidth - 80, plotHeight = panelHeight - 70
        let xs = panel.points.map(\.x)
        let finiteYs = panel.points.compactMap(\.y) + (panel.bound.map { [$0] } ?? [])
        let xRange = niceRange(xs.min() ?? 0, xs.max() ?? 1)
        let yRange = niceRange(0, max(1, finiteYs.max() ?? 1) * 1.08)
        let px = { (x: Double) in plotLeft + (x - xRange.lower) / (xRange.upper - xRange.lower) * plotWidth }
        let py = { (y: Double?) in y.map { plotTop + plotHeight - ($0 - yRange.lower) / (yRange.upper - yRange.lower) * plotHeight } ?? plotTop - 8 }
        var out = "<g class=\"panel\">\n<text x=\"\(f(left + 55))\" y=\"\(f(top + 12))\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        out += "<rect x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
        for tick in ticks(xRange) {
            out += "<line x1=\"\(f(px(tick)))\" y1=\"\(f(plotTop + plotHeight))\" x2=\"\(f(px(tick)))\" y2=\"\(f(plotTop + plotHeight + 4))\" stroke=\"#999\"/>"
            out += "<text x=\"\(f(px(tick)))\" y=\"\(f(plotTop + plotHeight + 16))\" text-anchor=\"middle\">\(label(tick))</text>\n"
        }
        for tick in ticks(yRange) {
            out += "<line x1=\"\(f(plotLeft - 4))\" y1=\"\(f(py(tick)))\" x2=\"\(f(plotLeft + plotWidth))\" y2=\"\(f(py(tick)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(plotLeft - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(label(tick))</text>\n"
        }
        out += "<text x=\"\(f(plotLeft + plotWidth / 2))\" y=\"\(f(plotTop + plotHeight + 32))\" text-anchor=\"middle\">\(escape(panel.xLabel))</text>\n"
        out += "<text transform=\"translate(\(f(left + 12)) \(f(plotTop + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(panel.yLabel))</text>\n"
        if let bound = panel.bound {
            out += "<line class=\"bound\" x1=\"\(f(plotLeft))\" y1=\"\(f(py(bound)))\" x2=\"\(f(plotLeft + plotWidth))\" y2=\"\(f(py(bound)))\" stroke=\"#2a7\" stroke-dasharray=\"5 4\"/>"
            out += "<text x=\"\(f(plotLeft + plotWidth - 4))\" y=\"\(f(py(bound) - 4))\" text-anchor=\"end\" fill=\"#2a7\">objective \(label(bound))</text>\n"
        }
        let ordered = panel.points.filter { $0.role == .infeasible } + panel.points.filter { $0.role == .candidate }
            + panel.points.filter { $0.role == .front }
        for point in ordered { out += mark(point, x: px(point.x), y: py(point.y)) }
        for point in panel.points where point.shipped || point.recommended {
            let (colour, text) = point.recommended ? ("#1a8f3c", point.shipped ? "shipped = recommended" : "recommended") : ("#000", "shipped")
            out += "<g class=\"\(point.recommended ? "recommended" : "shipped")\"><title>\(escape(text + "\n" + point.tooltip))</title>"
            out += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"9\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\"/>"
            out += "<text x=\"\(f(px(point.x) + 12))\" y=\"\(f(py(point.y) + (point.recommended ? 14 : -8)))\" fill=\"\(colour)\" font-weight=\"bold\">\(text)</text></g>\n"
        }
        return out + "</g>\n"
    }

    private static func mark(_ point: Point, x: Double, y: Double) -> String {
        let title = "<title>\(escape(point.tooltip))</title>"
        switch point.role {
        case .infeasible:
            return "<g class=\"infeasible\">\(title)<path d=\"M\(f(x - 3.5)) \(f(y - 3.5))L\(f(x + 3.5)) \(f(y + 3.5))M\(f(x - 3.5)) \(f(y + 3.5))L\(f(x + 3.5)) \(f(y - 3.5))\" stroke=\"#c33\" stroke-width=\"1.5\"/></g>\n"
        case .candidate:
            return "<circle class=\"candidate\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"#bbb\">\(title)</circle>\n"
        case .front:
            return "<circle class=\"front\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"5\" fill=\"#2b6cb0\">\(title)</circle>\n"
        }
    }

    private static func legend(top: Double) -> String {
        """
        <g class="legend"><circle cx="20" cy="\(f(top))" r="5" fill="#2b6cb0"/><text x="30" y="\(f(top + 4))">Pareto front (worst lag-drain, time over lag SLO, pod-minutes, direction changes; api: overload, pod-minutes, direction changes)</text>
        <circle cx="20" cy="\(f(top + 14))" r="3.5" fill="#bbb"/><text x="30" y="\(f(top + 18))">dominated</text>
        <path d="M97 \(f(top + 10.5))L104 \(f(top + 17.5))M97 \(f(top + 17.5))L104 \(f(top + 10.5))" stroke="#c33" stroke-width="1.5"/><text x="110" y="\(f(top + 18))">breaks a twin property</text>
        <text x="260" y="\(f(top + 18))">never drained: top edge</text></g>

        """
    }

    static func niceRange(_ low: Double, _ high: Double) -> (lower: Double, upper: Double) {
        let span = max(high - low, 1e-9)
        let step = niceStep(span / 5)
        let lower = (low / step).rounded(.down) * step
        var upper = (high / step).rounded(.up) * step
        if upper <= lower { upper = lower + step }
        return (lower, upper)
    }

    static func niceStep(_ raw: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where magnitude * factor >= raw { return magnitude * factor }
        return magnitude * 10
    }

    static func ticks(_ range: (lower: Double, upper: Double)) -> [Double] {
        let step = niceStep((range.upper - range.lower) / 5)
        var values: [Double] = []
        var value = range.lower
        while value <= range.upper + step / 1000, values.count < 20 {
            values.append(value)
            value += step
        }
        return values
    }

    private static func label(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String((value * 10).rounded() / 10)
    }

    private static func f(_ value: Double) -> String { String((value * 10).rounded() / 10) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
