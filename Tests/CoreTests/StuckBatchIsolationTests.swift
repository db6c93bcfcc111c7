import Core
import Testing

/// Drives one `after` consumer against a scripted database: every transaction is answered at once by
/// `answer`, offset commits and dead-letter publishes succeed, and when nothing is left to do the earliest
/// pipeline or partition timer fires (the periodic timers are left out, so a run ends when the work does).
private struct Harness {
    var consumer: ConsumerStateMachine
    var now = Timestamp.zero
    var timers: [TimerID: Timestamp] = [:]
    /// Messages fetched at their time, in time order.
    var feed: [(at: Timestamp, messages: [Message])] = []
    /// Durable attempt counts, per offset (partition << 32 | offset).
    var attempts: [Int64: Int] = [:]
    var applied: [PartitionOffset] = []
    var letters: [(at: Timestamp, letter: DeadLetter)] = []
    /// Every `recordFailure` sent, with its time and whether it committed.
    var recorded: [(at: Timestamp, committed: Bool)] = []
    /// Every batch sent, by its entries' offsets, and when.
    var sent: [[PartitionOffset]] = []
    var sentAt: [Timestamp] = []
    /// Whether a `recordFailure` transaction sent at this time commits (false: the database is down).
    var recordCommits: (Timestamp) -> Bool = { _ in true }

    init(_ consumer: ConsumerStateMachine) { self.consumer = consumer }

    var counted: Int { recorded.filter(\.committed).count }

    /// Carries out actions until none is left and no timer or fetch is due, `stop` says so (between two inputs),
    /// or `steps` actions were taken.
    mutating func run(_ first: [ConsumerAction] = [], steps: Int = 20_000, stop: (Harness) -> Bool = { _ in false },
                      answer: (BatchWrite, Timestamp) -> DatabaseResult) {
        var pending = first
        for _ in 0..<steps {
            if pending.isEmpty {
                if stop(self) { return }
                let timer = timers.min { ($0.value, $0.key.description) < ($1.value, $1.key.description) }
                if let next = feed.first, timer.map({ next.at <= $0.value }) ?? true {
                    feed.removeFirst()
                    now = max(now, next.at)
                    pending = consumer.messagesFetched(next.messages, now: now)
                    continue
                }
                guard let (id, at) = timer else { return }
                timers[id] = nil
                now = max(now, at)
                pending = consumer.timerFired(id, now: now)
                continue
            }
            let action = pending.removeFirst()
            switch action {
            case .execute(let request, .applyBatch(let write)):
                sent.append(write.entries.map { PartitionOffset(partition: $0.partition, offset: $0.offset) })
                sentAt.append(now)
                let result = answer(write, now)
                if case .committed = result { applied += write.entries.map { PartitionOffset(partition: $0.partition, offset: $0.offset) } }
                pending += consumer.databaseCompleted(request, result: result, now: now)
            case .execute(let request, .recordFailure(let record)):
                let commits = recordCommits(now)
                recorded.append((now, commits))
                guard commits else {
                    pending += consumer.databaseCompleted(request, result: .failed(refused), now: now)
                    continue
                }
                let key = Int64(record.partition) << 32 | record.offset
                attempts[key, default: 0] += 1
                pending += consumer.databaseCompleted(request, result: .committed(.attempts(attempts[key]!)), now: now)
            case .execute(let request, _):
                pending += consumer.databaseCompleted(request, result: .committed(.none), now: now)
            case .commitOffsets(let request, _):
                pending += consumer.offsetCommitCompleted(request, result: .committed, now: now)
            case .publishDeadLetter(let request, let letter):
                letters.append((now, letter))
                pending += consumer.deadLetterCompleted(request, result: .published, now: now)
            case .scheduleTimer(let timer, let at):
                if timer == .autoCommit || timer == .settlement { continue }
                timers[timer] = at
            case .cancelTimer(let timer):
                timers[timer] = nil
            default:
                continue
            }
        }
    }
}

private let timeout = DatabaseFailure(.transient, reason: "57014 canceling statement due to statement timeout", sqlState: "57014")
private let refused = DatabaseFailure(.transient, reason: "could not connect to server: Connection refused")
private let serialization = DatabaseFailure(.transient, reason: "40001 could not serialize access", sqlState: "40001")

private func at(_ partition: PartitionID, _ offset: Offset) -> PartitionOffset {
    PartitionOffset(partition: partition, offset: offset)
}

private func touches(_ write: BatchWrite, _ stuck: PartitionOffset) -> Bool {
    write.entries.contains { $0.partition == stuck.partition && $0.offset == stuck.offset }
}

@Suite("after mode: a batch that keeps failing transiently (stuck-batch-isolation)")
struct StuckBatchIsolationTests {
    @Test func afterThreeTransientFailuresTheBatchIsTakenApartAndTheOthersGoOn() {
        var harness = Harness(Fixtures.runningAfter([0, 1]))
        let messages = [Fixtures.message(0, 0), Fixtures.message(0, 1), Fixtures.message(0, 2), Fixtures.message(1, 0), Fixtures.message(1, 1)]
        let stuck = at(0, 1)
        harness.run(harness.consumer.messagesFetched(messages, now: .zero)) { write, _ in
            touches(write, stuck) ? .failed(timeout) : Fixtures.batchCommitted(applied: write.entries.count)
        }
        #expect(Array(harness.sent.prefix(3)) == Array(repeating: messages.map { at($0.partition, $0.offset) }, count: 3),
                "the whole batch is tried three times first")
        #expect(harness.sent[3].count == 1, "then its events are tried alone: \(harness.sent[3])")
        #expect(Set(harness.applied) == [at(0, 0), at(1, 0), at(1, 1), at(0, 2)], "every other event is applied")
        #expect(harness.applied.count == 4, "once")
        #expect(harness.consumer.statistics.batchesIsolated == 1)
        #expect(harness.letters.count == 1)
        let letter = try! #require(harness.letters.first?.letter)
        #expect(letter.partition == 0 && letter.offset == 1 && letter.attempts == 5)
        #expect(letter.reason == "retries_exhausted: failed transiently 5 times alone while the database worked: " + timeout.reason)
        #expect(harness.sent.last == [at(0, 2)], "its partition goes on past it once it is dead-lettered")
        #expect(harness.consumer.durableOffsets == [at(0, 3), at(1, 2)])
    }

    @Test func anOutageIsNotCountedAndDeadLettersNothingThenEverythingResumes() {
        var harness = Harness(Fixtures.runningAfter([0, 1, 2]))
        let messages = (0..<3).flatMap { partition in (0..<4).map { Fixtures.message(PartitionID(partition), Offset($0)) } }
        let back = Timestamp(milliseconds: 120_000)
        harness.recordCommits = { $0 >= back }
        harness.run(harness.consumer.messagesFetched(messages, now: .zero)) { write, now in
            now < back ? .failed(refused) : Fixtures.batchCommitted(applied: write.entries.count)
        }
        #expect(harness.consumer.statistics.batchesIsolated >= 1, "the outage outlasted three attempts")
        #expect(harness.counted == 0, "no attempt is counted while nothing commits")
        #expect(harness.letters.isEmpty)
        #expect(Set(harness.applied) == Set(messages.map { at($0.partition, $0.offset) }))
        #expect(harness.applied.count == messages.count, "each event applied once")
        #expect(harness.consumer.durableOffsets == [at(0, 4), at(1, 4), at(2, 4)])
    }

    @Test func anIsolatedFailureCountsOnlyWhileOtherBatchesCommit() {
        // p0's head always times out; p1 gets an event every 200 ms. For the first 20 s every batch fails while
        // the small count transactions commit (the worst case: the counts alone cannot tell the database is down).
        var harness = Harness(Fixtures.runningAfter([0, 1]))
        let stuck = at(0, 0)
        let back = Timestamp(milliseconds: 20_000)
        harness.feed = [(.zero, [Fixtures.message(0, 0)])]
            + (0..<200).map { (Timestamp(milliseconds: Int64($0) * 200), [Fixtures.message(1, Offset($0))]) }
        harness.run { write, now in
            if touches(write, stuck) { return .failed(timeout) }
            return now < back ? .failed(refused) : Fixtures.batchCommitted(applied: write.entries.count)
        }
        // Without the rule it would have run out of attempts within two seconds, inside the outage.
        let triedDuringTheOutage = harness.sent.indices.filter { harness.sentAt[$0] < back && harness.sent[$0].contains(stuck) }
        #expect(triedDuringTheOutage.count > 8, "tried often enough to run out of attempts, had they counted")
        #expect(harness.recorded.filter { $0.at < back }.isEmpty, "while p1's batches fail or wait, none is offered for counting")
        #expect(harness.counted == 5)
        #expect(harness.letters.map(\.letter.offset) == [0])
        #expect(harness.letters.allSatisfy { $0.at >= back }, "dead-lettered only once the database works")
        #expect(harness.letters.first?.letter.reason.hasPrefix("retries_exhausted: failed transiently 5 times") == true)
        #expect(Set(harness.applied) == Set((0..<200).map { at(1, Offset($0)) }), "every p1 event is applied")
        #expect(harness.applied.count == 200, "once")
    }

    @Test func aLoneEventCountsOnlyWhenItsCountCommits() {
        // Nothing else waits, so no other batch can show the database works: the count's own commit must.
        var harness = Harness(Fixtures.runningAfter([0]))
        harness.recordCommits = { _ in false }
        harness.run(harness.consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero), stop: { $0.recorded.count >= 3 }) { _, _ in
            .failed(timeout)
        }
        #expect(!harness.recorded.isEmpty, "it tried to count")
        #expect(harness.counted == 0 && harness.letters.isEmpty, "an outage refuses the count too: nothing counted")
        #expect(harness.timers[.partitionRetry(0)] != nil, "and it is tried again later")
        harness.recordCommits = { _ in true }
        harness.run { _, _ in .failed(timeout) }
        #expect(harness.letters.map(\.letter.offset) == [0])
        #expect(harness.letters.first?.letter.attempts == 5)
    }

    @Test func onlyTimeoutsCountAgainstAnIsolatedEvent() {
        // A valid event unlucky enough to meet serialization failures alone, again and again, while others commit.
        var harness = Harness(Fixtures.runningAfter([0, 1]))
        let unlucky = at(0, 0)
        var failures = 0
        harness.feed = [(.zero, [Fixtures.message(0, 0)])]
            + (0..<100).map { (Timestamp(milliseconds: Int64($0) * 200), [Fixtures.message(1, Offset($0))]) }
        harness.run { write, _ in
            guard touches(write, unlucky), failures < 12 else { return Fixtures.batchCommitted(applied: write.entries.count) }
            failures += 1
            return .failed(serialization)
        }
        #expect(harness.consumer.statistics.batchesIsolated >= 1)
        #expect(harness.counted == 0 && harness.letters.isEmpty, "a serialization failure is never counted: \(harness.letters.map(\.letter.reason))")
        #expect(harness.applied.filter { $0 == unlucky }.count == 1, "applied once it gets through")
        #expect(harness.applied.count == 101)
    }

    @Test func withoutTheSafeguardTheWholeBatchIsRetriedForever() {
        var harness = Harness(Fixtures.runningAfter([0, 1], without: [.stuckBatchIsolation]))
        let messages = [Fixtures.message(0, 0), Fixtures.message(0, 1), Fixtures.message(1, 0)]
        harness.run(harness.consumer.messagesFetched(messages, now: .zero), steps: 400) { write, _ in
            touches(write, at(0, 1)) ? .failed(timeout) : Fixtures.batchCommitted(applied: write.entries.count)
        }
        #expect(harness.sent.count > 20 && harness.sent.allSatisfy { $0.count == 3 }, "the same batch, again and again")
        #expect(harness.applied.isEmpty && harness.letters.isEmpty, "every partition in it stalls")
    }
}
