import Core

/// The simulated run's history through the shared `HistoryNarrator`, with the simulator's names and causes.
extension World {
    func historyViolations() -> [Violation] {
        takeCommittedTransactions()
        return HistoryNarrator(
            history: history, explain: options.explain, podName: { self.pods[Int($0)].name }, memberName: { "m\($0)" },
            recordEvent: { self.scenario.events[Int(self.topic.origin(partition: $0.partition, offset: $0.offset))].id.description },
            failureEvent: { self.scenario.events[Int($0.event)].id.description }, causes: historyCauses(),
            sessionTimeout: config.sessionTimeout, gracePeriod: config.terminationGracePeriod, maxAttempts: config.maxAttempts
        ).violations()
    }

    private func historyCauses() -> HistoryNarrator.Causes {
        var causes = HistoryNarrator.Causes(mode: mode)
        if mode == .after && !has(.offsetsStoredWithEffects) {
            causes.replay = "no offset was stored with the effects, so nothing newer than Kafka's committed offset was there to start from"
        } else if mode == .after && !has(.offsetsLoadedOnAssignment) {
            causes.replay = "the consumer did not read the offsets stored with the effects and started from Kafka's committed offset"
        }
        return causes
    }

    func notQuietViolation() -> Violation? {
        guard quietAt == nil else { return nil }
        let pending = quietBlockers(first: false)
        let text = options.explain
            ? "The system was not quiet by \(Timestamp(milliseconds: timeLimit)), the end of the heal phase (traffic stopped at \(Timestamp(milliseconds: trafficEnd))); still pending at \(Timestamp(milliseconds: now)): \(pending.isEmpty ? "nothing found at the last event" : pending.joined(separator: "; "))."
            : ""
        return Violation(kind: .notQuiet, explanation: text, cause: "not quiet", time: now)
    }
}
