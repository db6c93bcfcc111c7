import Core
import Testing
@testable import Sim

/// `settlement-total-mismatch` over a live history: each `settle` line carries per period the total the
/// settlement row holds and the events of the ledger rows it counted; `SettlementTotalCheck` compares them with
/// the applications the history shows. A clean history passes; a total that disagrees with the applied events,
/// a period settled twice, and (when every commit is recorded) a committed row no settlement counted are caught.
@Suite("live history: settlement totals")
struct LiveHistorySettlementTotalTests {
    typealias T = LiveHistoryCheckTests

    static func id(_ event: Int) -> String { "\"00000000-0000-4000-8000-00000000000\(event)\"" }

    /// A committed settlement run sent 10 ms before `t`: per row `(period, total, batches, events)`.
    static func settle(_ pod: String, _ t: Int, _ rows: [(period: Int, total: Int, batches: Int, events: [Int])]) -> String {
        let periods = rows.map { String($0.period) }.joined(separator: ",")
        let totals = rows.map { "[\($0.period),\($0.total),\($0.batches),[\($0.events.map(id).joined(separator: ","))]]" }.joined(separator: ",")
        return #"{"k":"settle","pod":"\#(pod)","t":\#(t),"member":"\#(pod)-m","gen":1,"submitted":\#(t - 10),"committed":true,"ambiguous":false,"periods":[\#(periods)],"fenced":0,"through":\#(rows.last?.period ?? 0),"totals":[\#(totals)]}"#
    }

    /// w1 applies events 1 and 2 (300 cents) and hands p0 to w2, which applies 3 and 4 (700 cents), all in period
    /// 0 (10 s periods); w2's run at 11 s settles period 0: both batches, 1000 cents.
    static var w1: [String] { Array(T.cleanW1.filter { !$0.contains(#""k":"settle""#) }) }

    static func w2(_ settlements: [String], exits: Bool = false) -> [String] {
        [T.start("w2", 1_250), T.ownership("assigned", "w2", 1_310), T.batch("w2", 1_500, applied: 2, [T.entry(3, 2), T.entry(4, 3)])]
            + settlements + (exits ? [#"{"k":"sigterm","pod":"w2","t":12000}"#, #"{"k":"exit","pod":"w2","t":12100,"left":true,"open":0}"#] : [])
    }

    static let whole = (period: 0, total: 1_000, batches: 2, events: [1, 2, 3, 4])

    @Test func aSettlementThatCountedEveryAppliedEventPasses() throws {
        let result = try T.check([Self.w1, Self.w2([Self.settle("w2", 11_000, [Self.whole])], exits: true)])
        #expect(result.violations.isEmpty, "\(result.violations)")
        #expect(result.settlementMismatches == 0 && result.settlementRuns == 1)
    }

    @Test func aTotalThatDisagreesWithTheAppliedEventsIsCaught() throws {
        let wrong = (period: 0, total: 900, batches: 2, events: [1, 2, 3, 4])
        let result = try T.check([Self.w1, Self.w2([Self.settle("w2", 11_000, [wrong])])])
        let mismatch = try #require(result.violations.first { $0.kind == .settlementTotalMismatch })
        #expect(result.violations.count == 1 && result.settlementMismatches == 1)
        #expect(mismatch.cause == "total differs from its rows")
        #expect(mismatch.explanation.contains("recorded 900 cents") && mismatch.explanation.contains("sum to 1000"))
    }

    @Test func aPeriodSettledTwiceIsCaughtTwice() throws {
        let settlements = [Self.settle("w2", 11_000, [Self.whole]), Self.settle("w2", 11_500, [Self.whole])]
        let result = try T.check([Self.w1, Self.w2(settlements)])
        #expect(result.doubleSettlements == 1)
        #expect(result.violations.contains { $0.kind == .doubleSettlement })
        // The same rows in two settlement rows: one finding for the pair of settlements, with the rows and cents.
        let twice = result.violations.filter { $0.kind == .settlementTotalMismatch }
        #expect(twice.count == 1 && twice[0].cause == "counted twice")
        #expect(twice[0].explanation.contains("1000 cents were settled twice in period 0"))
    }

    @Test func aCommittedRowNoSettlementCountedIsCaughtWhenEveryCommitIsRecorded() throws {
        // The run saw w2's batch committed (sent at 10.99 s, the batch ended at 1.5 s) and counted only w1's.
        let partial = (period: 0, total: 300, batches: 1, events: [1, 2])
        let result = try T.check([Self.w1, Self.w2([Self.settle("w2", 11_000, [partial])], exits: true)])
        let uncounted = try #require(result.violations.first { $0.kind == .settlementTotalMismatch })
        #expect(result.settlementMismatches == 1)
        #expect(uncounted.cause == "batch left unmarked")
        #expect(uncounted.explanation.contains("2 ledger rows of one transaction") && uncounted.explanation.contains("w2"))
        // Without w2's exit line a commit may be missing from the history (a settlement too): not evidence.
        let unsure = try T.check([Self.w1, Self.w2([Self.settle("w2", 11_000, [partial])])])
        #expect(unsure.violations.isEmpty, "\(unsure.violations)")
    }

    @Test func anEventTheHistoryNeverShowsAppliedCountsWithItsProducedAmount() throws {
        // Event 4's commit is not in the history (its worker was killed after COMMIT): the settlement's row for
        // it is taken at the amount the producer sent, so the total still checks.
        var w2 = Self.w2([Self.settle("w2", 11_000, [Self.whole])])
        w2[2] = T.batch("w2", 1_500, applied: 1, [T.entry(3, 2)])
        let result = try T.check([Self.w1, w2])
        #expect(!result.violations.contains { $0.kind == .settlementTotalMismatch }, "\(result.violations)")
        #expect(result.settlementMismatches == 0)
    }

    @Test func historiesWithoutTotalsAreNotCheckedForThem() throws {
        let result = try T.check([T.cleanW1, T.cleanW2])
        #expect(result.settlementMismatches == nil)
    }
}
