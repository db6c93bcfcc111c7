import Core

/// Keeps librdkafka's paused set and the poll gate where Core wants them, as a value: it takes what Core wants
/// and `now`, and returns the commands for the consumer lane and the gate. No clock, no I/O, so it is tested in
/// virtual time the way Core is.
///
/// Core pauses for two kinds of reasons. A partition that is not active (loading its offsets, being released) or
/// a consumer that is draining must stop fetching at once: `rd_kafka_pause_partitions`, whose purge of
/// already-fetched messages is exactly what is wanted. Active partitions of a running consumer are paused for
/// backpressure only: for those the driver stops polling instead, so librdkafka's prefetched messages wait where
/// they are (a pause would purge them, and librdkafka 2.0.2 fetches again only on its next one-second tick after
/// the resume). A backpressure hold longer than `softPauseLimitMilliseconds` (a database outage) turns into a
/// real pause, so the consumer polls again: rebalances and `max.poll.interval.ms` need it.
struct FlowControl: Equatable {
    /// What the driver must do, in order. `closeGate` takes effect at once; the others go through the consumer
    /// lane, behind whatever it already holds.
    enum Command: Equatable {
        case pause([PartitionID])
        case resume([PartitionID])
        case closeGate
        case openGate
    }

    /// What Core wants, read off the state machine after each input.
    struct Wish: Equatable {
        var paused: [PartitionID]
        var active: [PartitionID]
        var owned: [PartitionID]
        var running: Bool
    }

    static let softPauseLimitMilliseconds: Int64 = 1_000

    /// Partitions paused in librdkafka.
    private(set) var kafkaPaused: Set<PartitionID> = []
    /// Since when polling is held for backpressure (nil: not held).
    private(set) var softPausedSince: Timestamp?

    var isHoldingBackpressure: Bool { softPausedSince != nil }

    mutating func apply(_ wish: Wish, now: Timestamp) -> [Command] {
        var commands: [Command] = []
        let active = Set(wish.active)
        let backpressure = wish.running ? wish.paused.filter(active.contains) : []
        var hard = Set(wish.paused).subtracting(backpressure)
        if backpressure.isEmpty {
            if softPausedSince != nil {
                softPausedSince = nil
                commands.append(.openGate)
            }
        } else {
            if softPausedSince == nil {
                softPausedSince = now
                commands.append(.closeGate)
            }
            if heldTooLong(now) { hard.formUnion(backpressure) }
        }
        let owned = Set(wish.owned)
        let toPause = hard.subtracting(kafkaPaused).intersection(owned)
        let toResume = kafkaPaused.subtracting(hard)
        if !toPause.isEmpty { commands.append(.pause(toPause.sorted())) }
        if !toResume.isEmpty { commands.append(.resume(toResume.sorted())) }
        kafkaPaused = hard.intersection(owned)
        if heldTooLong(now) { commands.append(.openGate) }  // after the pause above: poll again, nothing fetched
        return commands
    }

    /// Partitions about to be handed back to the group: none may go back paused.
    mutating func release(_ partitions: Set<PartitionID>) -> [Command] {
        let stillPaused = kafkaPaused.intersection(partitions)
        kafkaPaused.subtract(partitions)
        return stillPaused.isEmpty ? [] : [.resume(stillPaused.sorted())]
    }

    private func heldTooLong(_ now: Timestamp) -> Bool {
        guard let since = softPausedSince else { return false }
        return now - since >= Self.softPauseLimitMilliseconds
    }
}
