/// The tests' only way to wait: for a condition they can observe, polled with a bound on a monotonic clock.
/// Never a sleep that stands for an event.

/// A condition that did not hold within its bound; `what` names it for the failure message.
public struct PollTimeout: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double

    public init(what: String, seconds: Double) {
        self.what = what
        self.seconds = seconds
    }

    public var description: String { "not within \(seconds) s: \(what)" }
}

/// Whether `condition` holds within `seconds`, asked every `interval`; the caller decides what a `false` means.
public func holds(
    within seconds: Double, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    while true {
        if try await condition() { return true }
        guard clock.now < deadline else { return false }
        try await Task.sleep(for: interval)
    }
}

/// Returns once `condition` holds; throws `PollTimeout` after `seconds`.
public func waitUntil(
    _ seconds: Double, _ what: String, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws {
    guard try await holds(within: seconds, every: interval, condition) else { throw PollTimeout(what: what, seconds: seconds) }
}
