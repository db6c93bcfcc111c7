import Core
import Testing

/// `activePartitions` lets the live driver tell a backpressure pause (hold polling) from a pause that must stop
/// fetching at once (offsets loading, revocation pending, draining).
@Suite("activePartitions observation")
struct ActivePartitionsTests {
    @Test func loadingPartitionsAreNotActiveUntilTheirOffsetsArrive() {
        var consumer = Fixtures.machine(.after)
        _ = consumer.start(now: .zero)
        let actions = consumer.partitionsAssigned([0, 1], generation: 1, now: .zero)
        #expect(consumer.activePartitions.isEmpty)
        #expect(consumer.pausedPartitions == [0, 1])
        _ = consumer.databaseCompleted(
            actions.executes[0].0,
            result: .committed(.offsets([StoredOffset(partition: 0, nextOffset: nil), StoredOffset(partition: 1, nextOffset: 3)])),
            now: .zero)
        #expect(consumer.activePartitions == [0, 1])
        #expect(consumer.pausedPartitions.isEmpty)
    }

    @Test func backpressurePausesActivePartitions() {
        var consumer = Fixtures.runningAfter([0, 1], batch: 2)
        // One batch in flight, then more than the high watermark (2 x batch) queued.
        _ = consumer.messagesFetched((0..<8).map { Fixtures.message(0, Offset($0)) }, now: .zero)
        #expect(consumer.queuedEvents >= 4)
        #expect(consumer.pausedPartitions == [0, 1])
        #expect(consumer.activePartitions == [0, 1], "paused for backpressure only")
    }

    @Test func aPartitionRevokedWhileItsBatchIsInFlightIsNoLongerActive() {
        var consumer = Fixtures.runningAfter([0, 1])
        _ = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
        _ = consumer.partitionsRevoked([0], generation: 2, now: .zero)
        #expect(consumer.ownedPartitions == [0, 1], "kept until the in-flight transaction ends")
        #expect(consumer.activePartitions == [1])
        #expect(consumer.pausedPartitions == [0])
    }
}
