import Core

/// A job's last statement, once sent, is not an event of its own: it is recorded with its arrival time and run
/// when the server next does anything (another step arrives, a connection closes, the server goes down, the
/// world asks whether the database is idle), in arrival order, at its own arrival time; and the COMMIT that
/// follows it is sent at once for that time. Nothing can tell the difference: the server's operations still
/// run one by one in time order, the statement's answer only decides what the client sends next (the COMMIT,
/// or a ROLLBACK instead at the same moment, or nothing while it waits for a lock), and the cases where the
/// answer reaches Core itself (a connection the server closed before the statement arrived) are turned back
/// into events when the server closes it. It saves one event per transaction, which is what keeps a sweep
/// of the statement-level model within reach of the transaction-level model's speed.
struct DeferredStep {
    var time: Int64
    var order: UInt64
    var pod: Int32
}

extension World {
    func deferStatement(_ flight: DatabaseClient.InFlight, of pod: Int32, commitLatency: Int64) {
        let client = dbClients[Int(pod)]
        guard case .statement = flight.step else { preconditionFailure("only statements are deferred") }
        deferredOrder &+= 1
        client.deferred = DatabaseClient.Deferred(flight: flight, order: deferredOrder)
        var position = deferredSteps.count
        while position > 0, deferredSteps[position - 1].time > flight.arrival { position -= 1 }
        deferredSteps.insert(DeferredStep(time: flight.arrival, order: deferredOrder, pod: pod), at: position)
        let commit = DatabaseClient.InFlight(step: .commit, sentAt: flight.arrival,
                                             arrival: flight.arrival + commitLatency)
        schedule(commit, for: pod)
    }

    /// Runs the deferred statements that arrived by `time`, in arrival order.
    func runDeferredStatements(through time: Int64) {
        while let first = deferredSteps.first, first.time <= time {
            deferredSteps.removeFirst()
            let client = dbClients[Int(first.pod)]
            guard let deferred = client.deferred, deferred.order == first.order else { continue }
            client.deferred = nil
            var wakeups: [DatabaseModel.Wakeup] = []
            let result = runStep(deferred.flight, of: first.pod, at: first.time, wakeups: &wakeups)
            if options.trace { noteStep(deferred.flight, result, of: first.pod, at: first.time) }
            settle(deferred, result, of: first.pod)
            wake(wakeups)
        }
    }

    /// The client reads the deferred statement's answer: the COMMIT it already sent stands, becomes a
    /// ROLLBACK, or was never sent because the statement waits.
    private func settle(_ deferred: DatabaseClient.Deferred, _ result: DatabaseModel.StatementResult, of pod: Int32) {
        let client = dbClients[Int(pod)]
        let step = deferred.flight.step
        switch result {
        case .blocked:
            hash.mix(stepCode(step, result))
            var waiting = deferred.flight
            waiting.blocked = true
            client.serial &+= 1
            client.inFlight = waiting
        case .failed(let error) where error.connectionLost:
            client.serial &+= 1
            answered(pod, step, result)
        case .done, .failed:
            hash.mix(stepCode(step, result))
            guard !client.dead, client.busy else { return }
            if case .send(let next) = client.advance(after: step, result), next != .commit {
                client.inFlight?.step = next
            }
        }
    }

    /// After the server closed connections: a deferred statement on one of them must fail when it arrives,
    /// and its client tell Core then, so it becomes an event again.
    func undeferStatementsOnClosedConnections() {
        for (p, client) in dbClients.enumerated() {
            guard let deferred = client.deferred, client.connection >= 0,
                  !database.isOpen(client.connection) else { continue }
            client.deferred = nil
            schedule(deferred.flight, for: Int32(p))
        }
    }
}
