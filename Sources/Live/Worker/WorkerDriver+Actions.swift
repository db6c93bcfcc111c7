import Core
import LiveKafka
import Prometheus

/// Carrying out Core's actions, in the order Core returned them, then bringing librdkafka's paused set and the
/// poll gate in line with what Core now wants (`FlowControl`).
extension WorkerDriver {
    func perform(_ actions: [ConsumerAction], now: Timestamp) {
        for action in actions {
            switch action {
            case .reportReadiness(let ready):
                health.set(coreReady: ready)
                if ready { health.set(phase: "running") }
                metrics.ready.set(ready ? 1.0 : 0.0)
            case .pause, .resume:
                break  // applied from Core's state below, once the whole list is carried out
            case .seek(let position):
                raw.forget(partition: position.partition)
                consumerLane.submit(.seek(position))
            case .execute(let request, let work):
                openTransactions += 1
                databaseLane.submit(.work(request, work, trace: settings.tracing ? batchTrace(of: work) : nil))
            case .commitOffsets(let request, let commit):
                consumerLane.submit(.commit(request, commit))
            case .publishDeadLetter(let request, let letter):
                let original = raw.entry(partition: letter.partition, offset: letter.offset)?.bytes
                let (publisher, mailbox) = (publisher, mailbox)
                Task {
                    let result = await publisher.publish(letter, originalBytes: original)
                    mailbox.post(.deadLetter(request, letter, result))
                }
            case .scheduleTimer(let id, let deadline):
                timers.schedule(id, at: deadline, now: now, mailbox: mailbox)
            case .cancelTimer(let id):
                timers.cancel(id)
            case .acknowledgeRevocation(let partitions):
                for index in pendingRevocations.indices {
                    pendingRevocations[index].remaining.subtract(partitions)
                }
                acknowledgeReleased()
            case .leaveGroup:
                leavingSince = now
                stopPolling()
                consumerLane.submit(.close)
            case .exit:
                if leavingSince == nil {
                    exit = .abandoned
                } else if consumerClosed {
                    exit = .leftGroup
                }
            }
        }
        exportIsolations()
        applyFlowControl(now: now)
    }

    /// Core counts the batches it takes apart; the counter follows that count.
    private func exportIsolations() {
        let isolated = machine.statistics.batchesIsolated
        guard isolated > exportedIsolations else { return }
        metrics.batchesIsolated.increment(by: Int64(isolated - exportedIsolations))
        exportedIsolations = isolated
    }

    /// Asks `FlowControl` what Core's wish means for librdkafka and the poll gate, and does it.
    func applyFlowControl(now: Timestamp) {
        let wish = FlowControl.Wish(
            paused: machine.pausedPartitions, active: machine.activePartitions, owned: machine.ownedPartitions,
            running: machine.isRunning
        )
        execute(flow.apply(wish, now: now))
    }

    /// Hands librdkafka every revocation whose partitions Core has all released, in the order they came. A
    /// partition this driver paused is resumed first, so no partition is ever handed back paused.
    func acknowledgeReleased() {
        while let index = pendingRevocations.firstIndex(where: { $0.remaining.isEmpty }) {
            let rebalance = pendingRevocations.remove(at: index).rebalance
            if rebalance.kind == .revoked {
                historyOwnership(.revoked, rebalance.partitions.filter { $0.topic == settings.topic }.map(\.partition), now: WallClock.now())
            }
            execute(flow.release(Set(rebalance.partitions.filter { $0.topic == settings.topic }.map(\.partition))))
            consumerLane.submit(.acknowledge(rebalance))
        }
    }

    private func execute(_ commands: [FlowControl.Command]) {
        for command in commands {
            switch command {
            case .pause(let partitions): consumerLane.submit(.pause(partitions))
            case .resume(let partitions): consumerLane.submit(.resume(partitions))
            case .closeGate: gate.close(.backpressure)
            case .openGate: consumerLane.submit(.openGate(.backpressure))
            }
        }
    }

    func stopPolling() {
        pollTask?.cancel()
        pollTask = nil
        gate.openAll()
    }
}
