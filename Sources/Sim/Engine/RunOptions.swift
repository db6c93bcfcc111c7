/// What a run records besides its outcome. Off by default: a sweep needs only the checks and the hash.
public struct RunOptions: Hashable, Sendable {
    /// Keep one text line per executed event.
    public var trace: Bool
    /// Keep the running hash after every event, to find where two runs part.
    public var recordEventHashes: Bool
    /// Write a readable paragraph for every violation.
    public var explain: Bool
    /// Keep what a postmortem timeline draws.
    public var timeline: Bool
    /// Planted defect when false: the worker never runs `rs_guard_conflicts`, so a message that reuses an
    /// applied event's id with another account or amount is skipped as a duplicate (the guard before it kept
    /// the content). Only tests switch it off, to show the checker catches the silent skip.
    public var guardComparesContent = true

    public init(trace: Bool = false, recordEventHashes: Bool = false, explain: Bool = true, timeline: Bool = false) {
        self.trace = trace
        self.recordEventHashes = recordEventHashes
        self.explain = explain
        self.timeline = timeline
    }
}
