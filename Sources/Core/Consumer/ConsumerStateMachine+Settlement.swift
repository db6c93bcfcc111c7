extension ConsumerStateMachine {
    func nextSettlementBoundary(after now: Timestamp) -> Timestamp {
        let period = configuration.settlementPeriodMilliseconds
        return Timestamp(milliseconds: (now.milliseconds / period + 1) * period)
    }

    /// A period ended. `before` runs the job on every replica; `after` runs it too but the database fence lets
    /// exactly one run per period write, and catches up periods nobody settled (all replicas were down) within
    /// the look-back.
    mutating func settlementDue(now: Timestamp) -> [ConsumerAction] {
        guard lifecycle == .running else { return [] }
        var actions: [ConsumerAction] = [.scheduleTimer(.settlement, at: nextSettlementBoundary(after: now))]
        let period = now.milliseconds / configuration.settlementPeriodMilliseconds - 1
        guard period >= 0, settlement.inFlight == nil else { return actions }
        if settlement.retrying != nil {
            settlement.retrying = nil
            actions.append(.cancelTimer(.retrySettlement))
        }
        let fenced = mode == .after && configuration.has(.settlementFence)
        let lookback = fenced ? Int64(configuration.settlementLookbackPeriods) : 1
        let write = SettlementWrite(
            job: configuration.settlementJob, fromPeriod: max(0, period - lookback + 1), throughPeriod: period,
            fenced: fenced, settledBy: configuration.workerID)
        actions.append(startSettlement(write, attempt: 0))
        return actions
    }

    private mutating func startSettlement(_ write: SettlementWrite, attempt: Int) -> ConsumerAction {
        let request = makeRequestID()
        settlement.inFlight = .init(request: request, write: write, attempt: attempt)
        return .execute(request, .settle(write))
    }

    mutating func settlementCompleted(_ result: DatabaseResult, now: Timestamp) -> [ConsumerAction] {
        guard let attempt = settlement.inFlight else { return [] }
        settlement.inFlight = nil
        switch result {
        case .committed(let reply):
            if case .settlement(let outcome) = reply {
                statistics.settlementsRun += outcome.settledPeriods.count
                statistics.settlementsFenced += outcome.fencedPeriods
                if let last = outcome.settledPeriods.max() {
                    statistics.lastSettledPeriod = max(statistics.lastSettledPeriod ?? last, last)
                }
            }
            return []
        case .failed(let failure):
            record(failure)
            statistics.settlementsFailed += 1
            guard lifecycle == .running else { return [] }
            if mode == .before {
                guard attempt.attempt + 1 < configuration.retry.immediateAttempts else { return [] }
                return [startSettlement(attempt.write, attempt: attempt.attempt + 1)]
            }
            settlement.retrying = .init(request: attempt.request, write: attempt.write, attempt: attempt.attempt + 1)
            let delay = configuration.retry.delay(attempt: attempt.attempt, using: &random)
            return [.scheduleTimer(.retrySettlement, at: now + delay)]
        }
    }

    mutating func retrySettlement(now: Timestamp) -> [ConsumerAction] {
        guard lifecycle == .running, let retry = settlement.retrying, settlement.inFlight == nil else { return [] }
        settlement.retrying = nil
        return [startSettlement(retry.write, attempt: retry.attempt)]
    }
}
