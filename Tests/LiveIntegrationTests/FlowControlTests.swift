import Core
@testable import LiveWorker
import Testing

/// The worker's pause and poll-gate policy in virtual time: no consumer, no clock, only what Core wants and `now`.
@Suite("FlowControl in virtual time")
struct FlowControlTests {
    static func at(_ milliseconds: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds) }

    static func wish(paused: [PartitionID] = [], active: [PartitionID] = [0, 1, 2], owned: [PartitionID] = [0, 1, 2],
                     running: Bool = true) -> FlowControl.Wish {
        FlowControl.Wish(paused: paused, active: active, owned: owned, running: running)
    }

    @Test("backpressure on active partitions holds polling instead of pausing them")
    func backpressureClosesTheGate() {
        var flow = FlowControl()
        #expect(flow.apply(Self.wish(paused: [0, 1, 2]), now: Self.at(0)) == [.closeGate])
        #expect(flow.kafkaPaused.isEmpty, "prefetched messages stay in librdkafka's queue")
        #expect(flow.apply(Self.wish(paused: [0, 1, 2]), now: Self.at(999)) == [], "still a soft hold before the limit")
        #expect(flow.apply(Self.wish(), now: Self.at(1_200)) == [.openGate], "released: poll again")
        #expect(!flow.isHoldingBackpressure)
    }

    @Test("a hold longer than the limit becomes a real pause, then polling resumes so the group stays alive")
    func longHoldPauses() {
        var flow = FlowControl()
        _ = flow.apply(Self.wish(paused: [0, 1]), now: Self.at(10_000))
        let limit = FlowControl.softPauseLimitMilliseconds
        #expect(flow.apply(Self.wish(paused: [0, 1]), now: Self.at(10_000 + limit)) == [.pause([0, 1]), .openGate])
        #expect(flow.kafkaPaused == [0, 1])
        #expect(flow.apply(Self.wish(paused: [0, 1]), now: Self.at(10_000 + limit + 500)) == [.openGate],
                "already paused: only the gate, which each later check keeps open")
        #expect(flow.apply(Self.wish(), now: Self.at(20_000)) == [.openGate, .resume([0, 1])], "the database is back")
        #expect(flow.kafkaPaused.isEmpty)
    }

    @Test("inactive partitions and a draining consumer pause in librdkafka at once")
    func hardPauses() {
        var flow = FlowControl()
        #expect(flow.apply(Self.wish(paused: [2], active: [0, 1]), now: Self.at(0)) == [.pause([2])], "loading its offsets")
        #expect(flow.apply(Self.wish(paused: [0, 1, 2], running: false), now: Self.at(1)) == [.pause([0, 1])], "draining")
        #expect(flow.apply(Self.wish(), now: Self.at(2)) == [.resume([0, 1, 2])])
    }

    @Test("only owned partitions are paused, and a released partition is never handed back paused")
    func releaseResumes() {
        var flow = FlowControl()
        #expect(flow.apply(Self.wish(paused: [1, 5], active: [0], owned: [0, 1, 2]), now: Self.at(0)) == [.pause([1])])
        #expect(flow.release([1, 2]) == [.resume([1])])
        #expect(flow.kafkaPaused.isEmpty)
        #expect(flow.release([1]) == [], "nothing left to resume")
    }
}

@Suite("LagTracker")
struct LagTrackerTests {
    @Test("lag is the high watermark minus what is known committed; a partition given up reads 0")
    func gauges() {
        var lag = LagTracker()
        #expect(lag.unknown(among: [0, 1]) == [0, 1])
        lag.learnt([0: 40, 1: 10])
        lag.committed([PartitionOffset(partition: 0, offset: 50), PartitionOffset(partition: 0, offset: 45)])
        #expect(lag.unknown(among: [0, 1, 2]) == [2])
        let first = lag.gauges(owned: [0, 1], high: [0: 70, 1: 10])
        #expect(first.map(\.partition) == [0, 1] && first.map(\.lag) == [20, 0], "commits only move forward")
        lag.forget([1])
        let second = lag.gauges(owned: [0], high: [0: 60])
        #expect(second.map(\.partition) == [1, 0] && second.map(\.lag) == [0, 10])
    }
}
