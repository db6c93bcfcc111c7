import Core

extension World {
    func submit(_ work: DatabaseWork, request: RequestID, from pod: Int32) {
        let p = Int(pod)
        let writer = DatabaseModel.Writer(pod: pod, member: pods[p].member ?? -1, generation: pods[p].generation)
        let done: Int64
        if now < dbOutageUntil {
            done = now + latency(config.networkLatency)  // connection refused, fast
        } else {
            var cost = latency(config.databaseLatency)
            if case .applyBatch(let write) = work { cost += config.databaseLatencyPerEntry * Int64(write.entries.count) }
            done = database.completionTime(pod: pod, now: now, latency: cost)
        }
        queue.schedule(.database(pod, request, work, writer), at: done)
    }

    /// The transaction reaches its end on the server: it applies (or not) whatever became of the client.
    func runTransaction(_ pod: Int32, _ request: RequestID, _ work: DatabaseWork, _ writer: DatabaseModel.Writer) {
        let result: DatabaseResult
        if now < dbOutageUntil {
            result = .failed(DatabaseFailure(.transient, reason: "08001 could not connect to server: Connection refused"))
        } else if now < dbTransientUntil, random.chance(1, in: 4) {
            result = .failed(DatabaseFailure(.transient, reason: "40001 could not serialize access due to concurrent update"))
        } else {
            let ambiguous = now < dbAmbiguousUntil && random.chance(1, in: 4)
            let outcome = database.apply(work, writer: writer, time: now, ambiguous: ambiguous,
                                         index: { self.topic.origin(partition: $0, offset: $1) },
                                         account: { self.scenario.events[Int($0)].account })
            switch outcome {
            case .applied(let reply): result = .committed(reply)
            case .failed(let failure): result = .failed(failure)
            case .appliedButAmbiguous:
                result = .failed(DatabaseFailure(.ambiguous, reason: "08006 server closed the connection while COMMIT was in flight"))
            }
        }
        if options.trace { traceNote = "\(describe(work)) -> \(describe(result))" }
        hash.mix(outcomeCode(result))
        reply(.databaseReply(pod, request, result), to: pod)
    }

    /// Folds what a transaction did into the trace hash, so two runs that schedule the same events but write
    /// different things still differ.
    private func outcomeCode(_ result: DatabaseResult) -> Int64 {
        switch result {
        case .committed(.batch(let outcome)): return 1 << 32 | Int64(outcome.applied) << 16 | Int64(outcome.skippedDuplicates)
        case .committed(.settlement(let outcome)): return 2 << 32 | Int64(outcome.settledPeriods.count) << 16 | Int64(outcome.fencedPeriods)
        case .committed(.attempts(let count)): return 3 << 32 | Int64(count)
        case .committed: return 4 << 32
        case .failed(let failure):
            switch failure.kind {
            case .transient: return 5 << 32
            case .permanent(let entry): return 6 << 32 | Int64(entry ?? -1 & 0xFFFF)
            case .ambiguous: return 7 << 32
            }
        }
    }

    func deliverDatabaseReply(_ pod: Int32, _ request: RequestID, _ result: DatabaseResult) {
        guard pods[Int(pod)].isAlive else { return }
        perform(pods[Int(pod)].machine.databaseCompleted(request, result: result, now: Timestamp(milliseconds: now)), for: pod)
    }

    func describe(_ work: DatabaseWork) -> String {
        switch work {
        case .loadOffsets(let partitions): return "load offsets \(partitions.map { "p\($0)" }.joined(separator: ","))"
        case .applyBatch(let write):
            let dedup = write.deduplicate ? "guarded" : "unguarded"
            return "\(dedup) batch of \(write.entries.count)"
        case .recordFailure(let record): return "record failure of p\(record.partition)@\(record.offset)"
        case .markDeadLettered(let mark): return "mark dead-lettered p\(mark.partition)@\(mark.offset)"
        case .settle(let write): return "\(write.fenced ? "fenced " : "")settle through period \(write.throughPeriod)"
        }
    }

    func describe(_ result: DatabaseResult) -> String {
        switch result {
        case .committed(.batch(let outcome)): return "committed (applied \(outcome.applied), skipped \(outcome.skippedDuplicates))"
        case .committed(.settlement(let outcome)):
            return "committed (settled \(outcome.settledPeriods), fenced \(outcome.fencedPeriods))"
        case .committed(.attempts(let count)): return "committed (attempts \(count))"
        case .committed: return "committed"
        case .failed(let failure): return "\(failure.className) failure: \(failure.reason)"
        }
    }
}
