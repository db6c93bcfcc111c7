/// The chart's style sheet, shared by the standalone SVG (inside its `<style>`) and the HTML page.
enum TimelineStyle {
    static let chart = """
        .timeline-chart{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:10px}
        .timeline-chart text{fill:#222}
        .chart-title{font-size:14px;font-weight:600}
        .lane-bg.even{fill:#f7f7f7}.lane-bg.odd{fill:#ececec}
        .lane-label{font-size:11px}.lane-label.section{font-weight:600;fill:#555}
        .lane-label.partition{font-weight:600}
        .grid line{stroke:#d0d0d0;stroke-width:1}
        .fault-lines line,.legend-fault{stroke:#c0392b;stroke-width:1;stroke-dasharray:1 3;opacity:.7}
        .generation line,.legend-generation{stroke:#333;stroke-width:1;stroke-dasharray:4 3}
        .generation text{font-size:9px;fill:#333}
        .scale-step path{stroke:#2c3e50;stroke-width:2}.scale-step text{font-weight:600}
        .fault path{fill:#c0392b}.fault text{font-size:9px;fill:#c0392b}
        .pod-bar,.own{stroke:#666;stroke-width:.5}
        .pod-killed{stroke:#c0392b;stroke-width:2;fill:none}
        .pod-exited{stroke:#111;stroke-width:2}
        .own-label{font-size:9px;fill:#111;pointer-events:none}
        .commit-ok,.legend-commit-ok{stroke:#2d6a2d;stroke-width:1}
        .commit-rejected,.legend-commit-rejected{stroke:#d00;stroke-width:2}
        .violation path{stroke:#111;stroke-width:.8}
        .violation:hover path,.violation.focused path{stroke-width:2.5;stroke:#000}
        .axis line{stroke:#333}.axis .tick{text-anchor:middle}.axis-title{text-anchor:middle;font-size:11px}
        .legend-title{font-weight:600}
        """
}
