/// Maps virtual time to horizontal position. One scale is shared by every run drawn in one file, so the two
/// runs of `--mode both` line up: the same millisecond is at the same x.
struct TimelineScale: Hashable, Sendable {
    /// Virtual milliseconds at the right edge of the plot (at least 1).
    let end: Int64
    /// Left edge of the plot in pixels (lane labels sit left of it).
    let left: Int64
    /// Width of the plot in pixels.
    let width: Int64

    init(end: Int64, left: Int64 = 130, width: Int64? = nil) {
        self.end = max(1, end)
        self.left = left
        // 20 px per simulated second, within bounds that keep a minute-long run readable on a laptop and a
        // long one from becoming a multi-megabyte canvas.
        self.width = width ?? min(4_000, max(1_000, self.end / 50))
    }

    /// Horizontal position of a time, in tenths of a pixel, clamped to the plot.
    func x(_ time: Int64) -> Int64 {
        let clamped = min(max(time, 0), end)
        return left * 10 + clamped * width * 10 / end
    }

    var right: Int64 { left + width }

    /// Tick interval: the smallest round step that gives at most 15 ticks.
    var tickStep: Int64 {
        let steps: [Int64] = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
                              600_000, 1_800_000, 3_600_000]
        return steps.first { end / $0 <= 15 } ?? (end / 15 + 1)
    }

    var ticks: [Int64] {
        Array(stride(from: Int64(0), through: end, by: Int(tickStep)))
    }
}
