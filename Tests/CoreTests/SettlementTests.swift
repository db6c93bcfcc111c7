import Core
import Testing

@Suite("singleton settlement job")
struct SettlementTests {
    @Test func afterModeSettlementIsFencedAndCatchesUp() {
        var consumer = Fixtures.runningAfter([0])
        let tick = consumer.timerFired(.settlement, now: Timestamp(milliseconds: 180_010))
        #expect(tick.scheduled(.settlement) == Timestamp(milliseconds: 240_000))
        guard case .settle(let write) = tick.executes.first?.1 else {
            Issue.record("expected a settlement, got \(tick)")
            return
        }
        #expect(write.fenced && write.throughPeriod == 2 && write.fromPeriod == 0, "looks back over periods nobody settled")
        _ = consumer.databaseCompleted(tick.executes[0].0, result: .committed(.settlement(.init(settled: [1, 2].map { SettledPeriod(period: $0, totalCents: 0, batches: 0, events: []) }, fencedPeriods: 0))), now: .zero)
        #expect(consumer.statistics.settlementsRun == 2)
        #expect(consumer.statistics.lastSettledPeriod == 2)
    }

    @Test func beforeModeRunsUnfencedOnEveryReplica() {
        var consumer = Fixtures.runningBefore([0])
        let tick = consumer.timerFired(.settlement, now: Timestamp(milliseconds: 60_000))
        guard case .settle(let write) = tick.executes.first?.1 else {
            Issue.record("expected a settlement, got \(tick)")
            return
        }
        #expect(!write.fenced && write.throughPeriod == 0 && write.fromPeriod == 0)
    }

    @Test func afterModeRetriesAFailedSettlementWithBackoff() {
        var consumer = Fixtures.runningAfter([0])
        let tick = consumer.timerFired(.settlement, now: Timestamp(milliseconds: 60_000))
        let failed = consumer.databaseCompleted(tick.executes[0].0, result: .failed(.init(.transient, reason: "down")), now: Timestamp(milliseconds: 60_000))
        let retryAt = failed.scheduled(.retrySettlement)!
        let retry = consumer.timerFired(.retrySettlement, now: retryAt)
        guard case .settle(let write) = retry.executes.first?.1 else {
            Issue.record("expected a retried settlement, got \(retry)")
            return
        }
        #expect(write.throughPeriod == 0)
    }
}
