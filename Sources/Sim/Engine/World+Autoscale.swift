extension World {
    /// The HPA's sync: read the lag as KEDA's scaler does, let the autoscaler decide, apply it to the
    /// Deployment, and record a point of the curves.
    func autoscale() {
        guard var autoscaler, let twin = scenario.twin else { return }
        queue.schedule(.autoscale, at: now + twin.sampleInterval)
        let logEnds = (0..<scenario.partitions).map { topic.end($0) }
        let lag = autoscaler.lag(logEnds: logEnds, committed: coordinator.committed)
        let ready = readyWorkers
        let desired = autoscaler.desiredReplicas(now: now, current: max(desiredReplicas, 0), ready: ready, lagEvents: lag)
        self.autoscaler = autoscaler
        var produced: Int64 = 0
        while producedCursor < scenario.events.count, scenario.events[producedCursor].time <= now {
            produced += 1
            producedCursor += 1
        }
        samples.append(TwinSample(time: now, desiredReplicas: desired, readyReplicas: ready,
                                  pendingPods: pods.filter { $0.phase == .pending }.count, lagEvents: lag,
                                  producedEventsPerSecond: produced * twin.eventsPerRecord * 1_000 / twin.sampleInterval))
        if options.trace { traceNote = "lag \(lag) events, ready \(ready), desired \(desiredReplicas) -> \(desired)" }
        if desired != desiredReplicas {
            desiredReplicas = desired
            journal.scaleSteps.append((now, desired))
            reconcile()
        }
    }
}
