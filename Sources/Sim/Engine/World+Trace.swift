import Core

extension World {
    /// One stable line per executed event: virtual time, actor, what happened.
    func traceLine(for event: SimEvent) -> String {
        let (actor, what) = describe(event)
        let time = Timestamp(milliseconds: now).description
        let paddedTime = String(repeating: " ", count: max(0, 9 - time.count)) + time
        let paddedActor = actor + String(repeating: " ", count: max(0, 9 - actor.count))
        let note = traceNote.isEmpty ? "" : ": \(traceNote)"
        return "\(paddedTime) \(paddedActor) \(what)\(note)"
    }

    private func describe(_ event: SimEvent) -> (String, String) {
        func name(_ pod: Int32) -> String { pods[Int(pod)].name }
        switch event {
        case .produce(let index): return ("producer", "events due from #\(index)")
        case .produceSingle(let index, let duplicate): return ("producer", duplicate ? "retry of event #\(index)" : "late write of event #\(index)")
        case .fetch(let pod): return (name(pod), "poll")
        case .databaseStep(let pod, _): return ("db", name(pod))
        case .databaseDisconnect(let pod, _): return ("db", "connection of \(name(pod)) closed")
        case .databaseReply(let pod, let request, _): return (name(pod), "late db reply \(request)")
        case .commit(let pod, let request, _, let member): return ("coord", "offset commit \(request) of \(name(pod)) m\(member)")
        case .commitReply(let pod, let request, _): return (name(pod), "late commit reply \(request)")
        case .deadLetter(let pod, let request, _): return ("broker", "dead-letter publish \(request) of \(name(pod))")
        case .deadLetterReply(let pod, let request, _): return (name(pod), "late dead-letter reply \(request)")
        case .timer(let pod, _, _): return (name(pod), "timer")
        case .heartbeat(let pod): return (name(pod), "heartbeat")
        case .join(let pod, let member, _): return ("coord", "JoinGroup from \(name(pod))\(member.map { " m\($0)" } ?? " (new)")")
        case .sync(let pod, let member, _, _): return (name(pod), "SyncGroup answer for m\(member)")
        case .joinResponse(let pod, let member, let generation): return (name(pod), "JoinGroup answer for m\(member): generation \(generation)")
        case .leaderSync(let pod, let generation): return ("coord", "SyncGroup of leader \(name(pod)) for generation \(generation)")
        case .syncFailed(let pod, let member): return (name(pod), "SyncGroup answer for m\(member): REBALANCE_IN_PROGRESS")
        case .pollTimeout(let pod): return (name(pod), "max.poll.interval.ms check")
        case .pollResumed(let pod): return (name(pod), "application polls again")
        case .leave(let pod, let member): return ("coord", "LeaveGroup from \(name(pod)) m\(member)")
        case .podReady(let pod): return (name(pod), "started, joining the group")
        case .sigterm(let pod): return (name(pod), "SIGTERM")
        case .sigkill(let pod): return (name(pod), "SIGKILL")
        case .scale: return ("deploy", "scale")
        case .reconcile: return ("deploy", "reconcile replicas")
        case .fault: return ("fault", "inject")
        case .brokerRecovered: return ("broker", "recovered")
        case .coordinatorTick: return ("coord", "session check")
        case .autoscale: return ("hpa", "sync")
        case .clusterScan: return ("ca", "scan for pending pods")
        case .nodeReady(let node): return ("ca", "node \(node) ready")
        case .zoneRecovered(let zone): return ("fault", "zone \(zone) recovered")
        }
    }
}
