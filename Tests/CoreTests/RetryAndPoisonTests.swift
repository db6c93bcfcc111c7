import Core
import Testing

@Suite("after mode: retries, jitter and dead letters")
struct RetryAndPoisonTests {
    @Test func ambiguousCommitRetriesTheSameGuardedBatchAfterAJitteredBackoff() {
        var consumer = Fixtures.runningAfter([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1)], now: .zero)
        let failed = consumer.databaseCompleted(fetched.batches[0].0, result: .failed(.init(.ambiguous, reason: "lost during COMMIT")), now: Fixtures.at1s)
        #expect(failed.batches.isEmpty, "no immediate retry")
        let retryAt = failed.scheduled(.retryPipeline)!
        #expect(retryAt >= Fixtures.at1s && retryAt <= Fixtures.at1s + 100, "attempt 0: full jitter in [0, base]")
        let retry = consumer.timerFired(.retryPipeline, now: retryAt)
        #expect(retry.batches[0].1 == fetched.batches[0].1, "the same entries, still deduplicated")
        let done = consumer.databaseCompleted(retry.batches[0].0, result: Fixtures.batchCommitted(applied: 0, skipped: 2), now: retryAt)
        #expect(consumer.statistics.duplicatesSkipped == 2)
        #expect(done.commits.count == 1)
    }

    @Test func backoffCeilingGrowsExponentiallyUpToTheCap() {
        let policy = RetryPolicy(baseMilliseconds: 100, capMilliseconds: 10_000)
        #expect((0..<9).map { policy.ceiling(attempt: $0) } == [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000])
        var random = SplitMix64(seed: 1)
        let delays = (0..<1_000).map { _ in policy.delay(attempt: 3, using: &random) }
        #expect(delays.allSatisfy { (0...800).contains($0) })
        #expect(Set(delays).count > 100, "full jitter spreads retries")
    }

    @Test func jitterIsReproducibleFromTheSeed() {
        func delays(seed: UInt64) -> [Int64] {
            // Without isolation, so that the one batch is retried whole each time.
            var consumer = Fixtures.machine(.after, seed: seed, without: [.stuckBatchIsolation])
            _ = consumer.start(now: .zero)
            let assigned = consumer.partitionsAssigned([0], generation: 1, now: .zero)
            _ = consumer.databaseCompleted(assigned.executes[0].0, result: .committed(.offsets([.init(partition: 0, nextOffset: nil)])), now: .zero)
            var actions = consumer.messagesFetched([Fixtures.message(0, 0)], now: .zero)
            var result: [Int64] = []
            var now = Timestamp.zero
            for _ in 0..<5 {
                actions = consumer.databaseCompleted(actions.batches[0].0, result: .failed(.init(.transient, reason: "x")), now: now)
                now = actions.scheduled(.retryPipeline)!
                result.append(now.milliseconds)
                actions = consumer.timerFired(.retryPipeline, now: now)
            }
            return result
        }
        #expect(delays(seed: 9) == delays(seed: 9))
        #expect(delays(seed: 9) != delays(seed: 10))
    }

    @Test func poisonEventIsIsolatedCountedDurablyAndDeadLetteredWithItsReason() {
        var consumer = Fixtures.runningAfter([0, 1])
        let fetched = consumer.messagesFetched(
            [Fixtures.message(0, 0), Fixtures.message(0, 1), Fixtures.message(0, 2), Fixtures.message(1, 0)], now: .zero)
        let failure = DatabaseFailure(.permanent(entryIndex: 1), reason: "23514 ledger_amount_cents_check")
        var actions = consumer.databaseCompleted(fetched.batches[0].0, result: .failed(failure), now: .zero)
        // First the events before the suspect (and other partitions) go on; the suspect waits at p0's head.
        #expect(actions.executes.allSatisfy { if case .recordFailure = $0.1 { return false } else { return true } })
        var applied: [PartitionOffset] = []
        var now = Timestamp.zero
        func drainBatches() {
            while let (request, write) = actions.batches.first, write.entries.count > 1 || write.entries[0].offset != 1 {
                #expect(!write.entries.contains { $0.partition == 0 && $0.offset >= 1 })
                applied += write.entries.map { PartitionOffset(partition: $0.partition, offset: $0.offset) }
                actions = consumer.databaseCompleted(request, result: Fixtures.batchCommitted(applied: write.entries.count), now: now)
            }
        }
        drainBatches()
        #expect(Set(applied) == [PartitionOffset(partition: 0, offset: 0), PartitionOffset(partition: 1, offset: 0)])
        for attempt in 1...5 {
            #expect(actions.batches.map { $0.1.entries.map(\.offset) } == [[1]], "attempt \(attempt): retried alone")
            let alone = DatabaseFailure(.permanent(entryIndex: 0), reason: failure.reason)
            actions = consumer.databaseCompleted(actions.batches[0].0, result: .failed(alone), now: now)
            guard let (request, work) = actions.executes.first, case .recordFailure(let record) = work else {
                Issue.record("attempt \(attempt): expected a durable failure record, got \(actions)")
                return
            }
            #expect(record.offset == 1 && record.partition == 0)
            actions = consumer.databaseCompleted(request, result: .committed(.attempts(attempt)), now: now)
            if attempt == 5 { break }
            now = actions.scheduled(.partitionRetry(0))!
            actions = consumer.timerFired(.partitionRetry(0), now: now)
        }
        let letter = actions.deadLetters.first!
        #expect(letter.1.offset == 1 && letter.1.attempts == 5)
        #expect(letter.1.reason.contains("23514"))
        let published = consumer.deadLetterCompleted(letter.0, result: .published, now: now)
        guard let (markRequest, markWork) = published.executes.first, case .markDeadLettered(let mark) = markWork else {
            Issue.record("expected the dead-letter mark, got \(published)")
            return
        }
        #expect(mark.nextOffset == PartitionOffset(partition: 0, offset: 2))
        let marked = consumer.databaseCompleted(markRequest, result: .committed(.none), now: now)
        #expect(marked.commits.contains { $0.1.offsets == [PartitionOffset(partition: 0, offset: 2)] })
        #expect(marked.batches.map { $0.1.entries.map(\.offset) } == [[2]], "the partition moves on past the poison")
    }

    @Test func rejectedEventIsDeadLetteredOnceAloneWithoutCountingRetries() {
        var consumer = Fixtures.runningAfter([0])
        let fetched = consumer.messagesFetched([Fixtures.message(0, 0), Fixtures.message(0, 1), Fixtures.message(0, 2)], now: .zero)
        let conflict = DatabaseFailure(.rejected(entryIndex: 1), reason: "event_id_conflict: event x was applied with other content")
        var actions = consumer.databaseCompleted(fetched.batches[0].0, result: .failed(conflict), now: .zero)
        #expect(actions.batches.map { $0.1.entries.map(\.offset) } == [[0]], "the events before it go on")
        actions = consumer.databaseCompleted(actions.batches[0].0, result: Fixtures.batchCommitted(applied: 1), now: .zero)
        #expect(actions.batches.map { $0.1.entries.map(\.offset) } == [[1]], "then it is tried alone, at once")
        let alone = DatabaseFailure(.rejected(entryIndex: 0), reason: conflict.reason)
        actions = consumer.databaseCompleted(actions.batches[0].0, result: .failed(alone), now: .zero)
        #expect(!actions.executes.contains { if case .recordFailure = $0.1 { return true } else { return false } },
                "no attempt is counted: none can succeed")
        let letter = try! #require(actions.deadLetters.first)
        #expect(letter.1.offset == 1 && letter.1.attempts == 1)
        #expect(letter.1.reason == conflict.reason)
    }

    @Test func undecodableMessageGoesStraightToTheDeadLetterTopic() {
        var consumer = Fixtures.runningAfter([0])
        let junk = Message(partition: 0, offset: 0, payload: .undecodable(reason: "not JSON", raw: [0x7B]))
        let actions = consumer.messagesFetched([junk, Fixtures.message(0, 1)], now: .zero)
        #expect(actions.deadLetters.count == 1)
        #expect(actions.deadLetters[0].1.reason.contains("undecodable"))
        #expect(actions.batches.isEmpty, "the lane is busy with the dead letter")
        let published = consumer.deadLetterCompleted(actions.deadLetters[0].0, result: .published, now: .zero)
        guard case .markDeadLettered(let mark) = published.executes.first?.1 else {
            Issue.record("expected a mark, got \(published)")
            return
        }
        #expect(mark.eventID == nil)
        let next = consumer.databaseCompleted(published.executes[0].0, result: .committed(.none), now: .zero)
        #expect(next.batches.map { $0.1.entries.map(\.offset) } == [[1]])
    }

    @Test func deadLetterPublishFailureIsRetriedNotSkipped() {
        var consumer = Fixtures.runningAfter([0])
        let junk = Message(partition: 0, offset: 0, payload: .undecodable(reason: "bad", raw: []))
        let actions = consumer.messagesFetched([junk], now: .zero)
        let failed = consumer.deadLetterCompleted(actions.deadLetters[0].0, result: .failed("broker down"), now: .zero)
        let retryAt = failed.scheduled(.retryPipeline)!
        let retry = consumer.timerFired(.retryPipeline, now: retryAt)
        #expect(retry.deadLetters.count == 1)
    }
}
