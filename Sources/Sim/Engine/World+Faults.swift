import Core

extension World {
    func inject(_ fault: PlannedFault, index: Int) {
        let detail: String
        var victim: Int32?
        switch fault.kind {
        case .kill, .terminate, .pause:
            let running = pods.indices.filter { pods[$0].phase == .running && pods[$0].frozenUntil <= now }
            guard !running.isEmpty else { return }
            let pod = Int32(running[fault.target % running.count])
            victim = pod
            switch fault.kind {
            case .kill:
                detail = "SIGKILL \(pods[Int(pod)].name)"
                sigkill(pod)
            case .terminate:
                detail = "rolling restart: SIGTERM \(pods[Int(pod)].name)"
                if let slot = pods[Int(pod)].slot { slots[slot] = nil }
                sigterm(pod)
                queue.schedule(.reconcile, at: now + latency(config.networkLatency))
            default:
                detail = "freeze \(pods[Int(pod)].name) for \(Timestamp(milliseconds: fault.duration))"
                pods[Int(pod)].frozenUntil = now + fault.duration
                databaseClientFroze(pod, until: now + fault.duration)
                journal.note(.frozen(until: now + fault.duration), pod: pod, at: now)
            }
        case .rebalance:
            let pod = startPod(slot: nil)
            victim = pod
            journal.note(.surge, pod: pod, at: now)
            queue.schedule(.sigterm(pod), at: now + config.podStartDelay.upperBound + fault.duration)
            detail = "surge pod \(pods[Int(pod)].name) joins for \(Timestamp(milliseconds: fault.duration))"
        case .dbTransient:
            dbTransientUntil = max(dbTransientUntil, now + fault.duration)
            detail = "database: 1 in 4 transactions fail transiently until \(Timestamp(milliseconds: dbTransientUntil))"
        case .dbAmbiguous:
            dbAmbiguousUntil = max(dbAmbiguousUntil, now + fault.duration)
            detail = "database: 1 in 4 commits ambiguous until \(Timestamp(milliseconds: dbAmbiguousUntil))"
        case .dbOutage:
            dbOutageUntil = max(dbOutageUntil, now + fault.duration)
            databaseOutageBegins()
            detail = "database down until \(Timestamp(milliseconds: dbOutageUntil))"
        case .brokerOutage:
            brokerOutageUntil = max(brokerOutageUntil, now + fault.duration)
            queue.schedule(.brokerRecovered, at: brokerOutageUntil)
            detail = "brokers unreachable until \(Timestamp(milliseconds: brokerOutageUntil))"
        case .producerRetry:
            producerRetryUntil = max(producerRetryUntil, now + fault.duration)
            detail = "clients retry with the same event id until \(Timestamp(milliseconds: producerRetryUntil))"
        case .poison, .idReuse:
            detail = fault.kind.rawValue
        case .zoneOutage:
            detail = loseZone(fault.target % max(1, cluster?.zones ?? 1), for: fault.duration)
        case .commitAmbiguous:
            commitAmbiguousUntil = max(commitAmbiguousUntil, now + fault.duration)
            detail = "1 in 4 offset commits written but answered with an error until \(Timestamp(milliseconds: commitAmbiguousUntil))"
        case .brokerIsolation, .maxPollExceeded:
            guard let (pod, text) = cutOff(fault) else { return }
            victim = pod
            detail = text
        }
        journal.faults.append(Journal.FaultNote(time: now, kind: fault.kind, detail: detail, pod: victim))
        if options.trace { traceNote = "\(fault.kind.rawValue): \(detail)" }
    }

    func brokerRecovered() {
        guard !brokerDown else { return }
        coordinator.refreshSessions(now: now)
        if options.trace { traceNote = "brokers reachable again; coordinator sessions restart" }
    }
}
