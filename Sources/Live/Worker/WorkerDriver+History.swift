import Core
import LiveKafka

/// What the driver writes to its `HistoryLog` (when `HISTORY_FILE` is set), at the point where each fact is
/// known: the outcome of a transaction when its result reaches the loop, an ownership change when librdkafka
/// reports it (a revocation when it is handed back), a commit when its answer comes.
extension WorkerDriver {
    typealias H = HistoryLog

    func historyStarted(now: Timestamp) {
        history?.append("start", at: now, H.field("mode", settings.mode.rawValue), H.field("max_attempts", settings.maxAttempts),
                        H.field("settlement_period_ms", settings.settlementPeriodSeconds * 1000),
                        H.field("grace_ms", settings.shutdownGrace.components.seconds * 1000),
                        H.field("session_timeout_ms", settings.sessionTimeout.components.seconds * 1000))
    }

    func historyOwnership(_ kind: KafkaRebalance.Kind, _ partitions: [PartitionID], now: Timestamp) {
        history?.append(kind.rawValue, at: now, H.field("member", memberID), H.field("gen", generation),
                        H.field("partitions", partitions.sorted()))
    }

    func historyDatabase(_ work: DatabaseWork, result: DatabaseResult, elapsed: Duration, now: Timestamp) {
        guard let history else { return }
        let committed: Bool
        var ambiguous = false
        switch result {
        case .committed: committed = true
        case .failed(let failure):
            committed = false
            ambiguous = failure.kind == .ambiguous
        }
        let submitted = now.milliseconds - elapsed.components.seconds * 1000 - elapsed.components.attoseconds / 1_000_000_000_000_000
        let common = [H.field("member", memberID), H.field("gen", generation), H.field("submitted", submitted),
                      H.field("committed", committed), H.field("ambiguous", ambiguous)]
        switch work {
        case .applyBatch(let write):
            var applied = 0
            if case .committed(.batch(let outcome)) = result { applied = outcome.applied }
            history.append("batch", at: now, common.joined(separator: ","), H.field("applied", applied),
                           H.field("stored", write.storeOffsets), H.field("entries", write.entries))
        case .recordFailure(let record):
            history.append("failure-record", at: now, common.joined(separator: ","), H.field("partition", record.partition),
                           H.field("offset", record.offset))
            if case .committed(.attempts(let attempts)) = result {
                history.append("failure", at: now, H.field("event", record.eventID.description), H.field("partition", record.partition),
                               H.field("offset", record.offset), H.field("attempts", attempts), H.field("durable", true))
            }
        case .markDeadLettered(let mark):
            history.append("dead-letter-mark", at: now, common.joined(separator: ","), H.field("partition", mark.partition),
                           H.field("offset", mark.offset))
        case .settle(let write):
            guard case .committed(.settlement(let outcome)) = result else {
                // A failed run: the reader needs to know when a COMMIT outcome is unknown (it may have settled).
                history.append("settle", at: now, common.joined(separator: ","), H.field("through", write.throughPeriod))
                return
            }
            history.append("settle", at: now, common.joined(separator: ","), H.field("periods", outcome.settledPeriods),
                           H.field("fenced", outcome.fencedPeriods), H.field("through", write.throughPeriod),
                           H.field("totals", outcome.settled))
        case .loadOffsets:
            break
        }
    }

    func historyCommit(_ commit: OffsetCommit, result: CommitResult, now: Timestamp) {
        var error: String?
        if case .failed(let failure) = result { error = "\(failure)" }
        history?.append("commit", at: now, H.field("member", memberID), H.field("gen", generation),
                        H.field("ok", error == nil), H.field("error", error), H.field("offsets", commit.offsets))
    }

    func historyDeadLetter(_ letter: DeadLetter, result: PublishResult, now: Timestamp) {
        var event: String?
        if case .event(let decoded) = letter.payload { event = decoded.id.description }
        var published = false
        if case .published = result { published = true }
        history?.append("dead-letter", at: now, H.field("event", event), H.field("partition", letter.partition),
                        H.field("offset", letter.offset), H.field("reason", letter.reason), H.field("ok", published))
    }

    func historyExit(_ exit: WorkerExit, now: Timestamp) {
        history?.append("exit", at: now, H.field("left", exit == .leftGroup), H.field("open", openTransactions))
        history?.flush()
    }
}
