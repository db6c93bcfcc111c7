/// Picks a row for each label so labels close in time do not print over each other: the first row whose
/// last label ends left of this one, else the row that frees up first. Positions in tenths of a pixel;
/// text width is estimated at 5.5 px per character (9 px font).
struct TimelineLabelRows {
    private var ends: [Int64]

    init(count: Int) {
        ends = Array(repeating: Int64.min, count: max(1, count))
    }

    mutating func row(at x: Int64, text: String) -> Int {
        let width = Int64(text.count) * 55 + 80
        let row = ends.firstIndex { $0 <= x } ?? ends.indices.min { ends[$0] < ends[$1] }!
        ends[row] = x + width
        return row
    }
}
