extension World {
    /// KEDA's scale loop and the HPA's sync, whichever is due: read the group's offsets, let them decide, apply
    /// it to the Deployment; and one point of the curves per HPA sync.
    func autoscale() {
        guard var autoscaler, let twin = scenario.twin else { return }
        let logEnds = (0..<scenario.partitions).map { topic.end($0) }
        let offsets = autoscaler.offsets(logEnds: logEnds, committed: coordinator.committed)
        let lag = autoscaler.lag(offsets)
        let ready = readyWorkers
        let status = pods.filter { $0.isAlive && $0.slot != nil && $0.phase != .terminating }.count
        let sampling = autoscaler.controller.hpa.isDue(now: now)
        let decided = autoscaler.step(now: now, specReplicas: desiredReplicas, statusReplicas: status,
                                      readyReplicas: ready, offsets: offsets)
        queue.schedule(.autoscale, at: max(now + 1, autoscaler.nextDue))
        self.autoscaler = autoscaler
        if sampling {
            var produced: Int64 = 0
            while producedCursor < scenario.events.count, scenario.events[producedCursor].time <= now {
                produced += 1
                producedCursor += 1
            }
            samples.append(TwinSample(time: now, desiredReplicas: decided ?? desiredReplicas, readyReplicas: ready,
                                      pendingPods: pods.filter { $0.phase == .pending }.count, lagEvents: lag,
                                      producedEventsPerSecond: produced * twin.eventsPerRecord * 1_000 / twin.sampleInterval))
        }
        if options.trace { traceNote = "lag \(lag) events, ready \(ready), replicas \(desiredReplicas) -> \(decided ?? desiredReplicas)" }
        if let decided, decided != desiredReplicas {
            desiredReplicas = decided
            journal.scaleSteps.append((now, decided))
            reconcile()
        }
    }
}
