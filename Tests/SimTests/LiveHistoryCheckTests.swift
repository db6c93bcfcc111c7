import Core
import Testing
@testable import Sim

/// `sim check-history`: the simulator's checkers over a live worker's history. A clean history of two workers
/// passes; each planted defect (an event applied twice, an event never applied, a period settled twice, a
/// worker writing after it handed its partition back) is caught, named and explained.
@Suite("live history through the simulator's checkers")
struct LiveHistoryCheckTests {
    static let produced = (1...4).map {
        LiveHistory.ProducedEvent(id: "00000000-0000-4000-8000-00000000000\($0)", account: "acct-\($0)", amountCents: Int64($0 * 100))
    }

    static func entry(_ event: Int, _ offset: Int) -> String {
        #"["00000000-0000-4000-8000-00000000000\#(event)",0,\#(offset),\#(event * 100),"acct-\#(event)"]"#
    }

    static func start(_ pod: String, _ t: Int) -> String {
        #"{"k":"start","pod":"\#(pod)","t":\#(t),"mode":"after","max_attempts":5,"settlement_period_ms":10000,"grace_ms":20000,"session_timeout_ms":10000}"#
    }

    static func batch(_ pod: String, _ t: Int, applied: Int, _ entries: [String]) -> String {
        #"{"k":"batch","pod":"\#(pod)","t":\#(t),"member":"\#(pod)-m","gen":1,"submitted":\#(t - 5),"committed":true,"ambiguous":false,"applied":\#(applied),"stored":[],"entries":[\#(entries.joined(separator: ","))]}"#
    }

    static func ownership(_ kind: String, _ pod: String, _ t: Int) -> String {
        #"{"k":"\#(kind)","pod":"\#(pod)","t":\#(t),"member":"\#(pod)-m","gen":1,"partitions":[0]}"#
    }

    static func settle(_ pod: String, _ t: Int, _ periods: [Int]) -> String {
        #"{"k":"settle","pod":"\#(pod)","t":\#(t),"periods":[\#(periods.map(String.init).joined(separator: ","))],"fenced":0,"through":\#(periods.last ?? 0)}"#
    }

    /// w1 applies events 1 and 2, hands p0 to w2 (which starts from the stored offset) that applies 3 and 4;
    /// periods 100 and 101 are settled once each.
    static var cleanW1: [String] {
        [start("w1", 1_000), ownership("assigned", "w1", 1_010), batch("w1", 1_100, applied: 2, [entry(1, 0), entry(2, 1)]),
         settle("w1", 1_200, [100]), ownership("revoked", "w1", 1_300),
         #"{"k":"sigterm","pod":"w1","t":1290}"#, #"{"k":"exit","pod":"w1","t":1400,"left":true,"open":0}"#]
    }

    static var cleanW2: [String] {
        [start("w2", 1_250), ownership("assigned", "w2", 1_310), batch("w2", 1_500, applied: 2, [entry(3, 2), entry(4, 3)]),
         settle("w2", 1_600, [101])]
    }

    static func check(_ files: [[String]]) throws -> LiveCheckResult {
        let named = files.enumerated().map { ("w\($0.offset + 1).jsonl", $0.element.joined(separator: "\n") + "\n") }
        return try LiveHistory.read(produced: produced, files: named).check()
    }

    @Test func aCleanHistoryHoldsEveryInvariant() throws {
        let result = try Self.check([Self.cleanW1, Self.cleanW2])
        #expect(result.violations.isEmpty, "\(result.violations)")
        #expect(result.eventsApplied == 4 && result.effectsApplied == 4 && result.settlementRuns == 2)
        #expect(result.pods == ["w1", "w2"])
    }

    @Test func aDuplicateApplicationIsCaughtAndExplained() throws {
        // w2 starts behind the database: it applies event 2 again (offset 1), which w1 committed before.
        var w2 = Self.cleanW2
        w2[2] = Self.batch("w2", 1_500, applied: 3, [Self.entry(2, 1), Self.entry(3, 2), Self.entry(4, 3)])
        let result = try Self.check([Self.cleanW1, w2])
        let duplicate = try #require(result.violations.first { $0.kind == .duplicateEffect })
        #expect(result.duplicates == 1)
        #expect(duplicate.explanation.contains("00000000-0000-4000-8000-000000000002") && duplicate.explanation.contains("applied 2 times"))
        #expect(duplicate.cause == "rebalance before commit")
        // The same fact, seen by the history's own invariant: processed again although committed before.
        #expect(result.violations.contains { $0.kind == .replayAfterCommit && $0.cause == "started behind the database" })
    }

    @Test func aLostEventIsCaught() throws {
        var w2 = Self.cleanW2
        w2[2] = Self.batch("w2", 1_500, applied: 1, [Self.entry(3, 2)])
        let result = try Self.check([Self.cleanW1, w2])
        #expect(result.lost == 1)
        let lost = try #require(result.violations.first { $0.kind == .lostEvent })
        #expect(lost.explanation.contains("00000000-0000-4000-8000-000000000004") && lost.explanation.contains("never applied"))
    }

    @Test func aDoubleSettlementIsCaught() throws {
        var w2 = Self.cleanW2
        w2[3] = Self.settle("w2", 1_600, [100, 101])
        let result = try Self.check([Self.cleanW1, w2])
        #expect(result.doubleSettlements == 1)
        let double = try #require(result.violations.first { $0.kind == .doubleSettlement })
        #expect(double.explanation.contains("settled 2 times") && double.explanation.contains("w1") && double.explanation.contains("w2"))
    }

    @Test func aWriteAfterRevocationIsCaught() throws {
        // w1 hands p0 back at 1,300 but its next batch was sent at 1,345 and commits at 1,350.
        var w1 = Self.cleanW1
        w1.insert(Self.batch("w1", 1_350, applied: 1, [Self.entry(3, 2)]), at: 5)
        var w2 = Self.cleanW2
        w2[2] = Self.batch("w2", 1_500, applied: 1, [Self.entry(4, 3)])
        let result = try Self.check([w1, w2])
        #expect(result.violations.map(\.kind) == [.writeAfterRevocation])
    }

    @Test func aGuardedBatchThatSkipsAnAppliedEventCountsItOnce() throws {
        // w2 re-reads event 2 but its guard skips it (applied 2 of 3): one effect, no duplicate.
        var w2 = Self.cleanW2
        w2[2] = Self.batch("w2", 1_500, applied: 2, [Self.entry(2, 1), Self.entry(3, 2), Self.entry(4, 3)])
        let result = try Self.check([Self.cleanW1, w2])
        #expect(result.duplicates == 0 && result.lost == 0 && result.partialBatches == 1)
    }

    @Test func aMalformedLineIsRejectedWithItsFileAndLine() {
        #expect(throws: LiveHistoryError.self) {
            try LiveHistory.read(produced: Self.produced, files: [("w1.jsonl", Self.start("w1", 1) + "\n{\"k\":\"batch\"}\n")])
        }
        #expect(throws: LiveHistoryError.self) {
            try LiveHistory.readProduced(String(#"{"event_id":"x"}"#), file: "produced.jsonl")
        }
    }
}
