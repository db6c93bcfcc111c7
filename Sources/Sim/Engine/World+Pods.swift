import Core

extension World {
    func scale(to step: ScaleStep) {
        desiredReplicas = step.replicas
        journal.scaleSteps.append((now, step.replicas))
        if options.trace { traceNote = "scale to \(step.replicas)" }
        reconcile()
    }

    /// The Deployment controller: start pods for empty slots below the desired count, SIGTERM pods above it.
    func reconcile() {
        for slot in slots.indices {
            if slot < desiredReplicas {
                if let current = slots[slot], pods[Int(current)].isAlive { continue }
                startPod(slot: slot)
            } else if let current = slots[slot] {
                slots[slot] = nil
                // As a signal: a frozen process takes it when it thaws.
                if pods[Int(current)].isAlive { queue.schedule(.sigterm(current), at: now) }
            }
        }
    }

    @discardableResult
    func startPod(slot: Int?) -> Int32 {
        let role: Pod.Role
        if let slot {
            incarnations[slot] += 1
            role = .replica(slot: slot, incarnation: incarnations[slot])
        } else {
            surges += 1
            role = .surge(number: surges)
        }
        let index = Int32(pods.count)
        var configuration = ConsumerConfiguration(
            mode: mode, workerID: "pod\(index)", batchMaxEvents: config.batchMaxEvents,
            autoCommitIntervalMilliseconds: config.autoCommitInterval,
            retry: RetryPolicy(baseMilliseconds: config.retryBase, capMilliseconds: config.retryCap,
                               maxAttempts: config.maxAttempts),
            settlementPeriodMilliseconds: config.settlementPeriod, randomSeed: random.next(),
            disabledSafeguards: disabledSafeguards)
        configuration.settlementJob = "settlement"
        var pod = Pod(role: role, machine: ConsumerStateMachine(configuration: configuration), partitions: scenario.partitions)
        pod.replaceOnExit = slot != nil
        pods.append(pod)
        if let slot { slots[slot] = index }
        maxWorkerPods = max(maxWorkerPods, pods.filter { $0.isAlive && $0.slot != nil }.count)
        journal.note(.started, pod: index, at: now)
        schedulePod(index)
        return index
    }

    func podReady(_ pod: Int32) {
        let p = Int(pod)
        guard pods[p].phase == .starting else { return }
        pods[p].phase = .running
        pods[p].lastCoordinatorAnswer = now
        journal.note(.ready, pod: pod, at: now)
        perform(pods[p].machine.start(now: Timestamp(milliseconds: now)), for: pod)
        sendJoin(pod, owned: [])
        queue.schedule(.heartbeat(pod), at: now + config.heartbeatInterval)
    }

    func sendJoin(_ pod: Int32, owned: [PartitionID]) {
        let p = Int(pod)
        pods[p].joinState = .joining
        queue.schedule(.join(pod, member: pods[p].member, owned: owned), at: coordinatorArrival(pod))
    }

    /// SIGTERM: the consumer decides (before: exit at once; after: drain). The kubelet SIGKILLs at the end of
    /// the grace period whatever is left.
    func sigterm(_ pod: Int32) {
        let p = Int(pod)
        switch pods[p].phase {
        case .dead, .terminating: return
        case .starting, .pending:
            pods[p].phase = .dead
            journal.note(.terminated, pod: pod, at: now)
            releaseNode(of: pod)
            return
        case .running: break
        }
        pods[p].phase = .terminating
        pods[p].sigtermAt = now
        journal.note(.terminated, pod: pod, at: now)
        queue.schedule(.sigkill(pod), at: now + config.terminationGracePeriod)
        let deadline = Timestamp(milliseconds: now + config.shutdownDrainDeadline)
        perform(pods[p].machine.shutdownRequested(now: Timestamp(milliseconds: now), deadline: deadline), for: pod)
    }

    func sigkill(_ pod: Int32) {
        guard pods[Int(pod)].isAlive else { return }
        journal.note(.killed, pod: pod, at: now)
        shutdownEnded(pod, exited: false)
        die(pod)
    }

    /// The process exits on its own (after `.exit`).
    func exit(_ pod: Int32) {
        journal.note(.exited(leftGroup: pods[Int(pod)].member == nil), pod: pod, at: now)
        shutdownEnded(pod, exited: true)
        die(pod)
    }

    private func die(_ pod: Int32) {
        let p = Int(pod)
        pods[p].phase = .dead
        pods[p].timers = []
        databaseClientDied(pod)
        releaseNode(of: pod)
        if pods[p].replaceOnExit {
            queue.schedule(.reconcile, at: now + latency(config.restartDelay))
        }
    }
}
