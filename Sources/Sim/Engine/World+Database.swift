import Core

/// The worker's database traffic: each pod's `DatabaseClient` sends its protocol steps to the `DatabaseModel`
/// one round trip (`databaseLatency`) at a time, so a pod frozen or killed between two steps leaves its
/// transaction open, holding its locks, until it thaws and goes on or the server notices it is gone.
///
/// A round trip's latency is drawn whole on the way to the server; the answer reaches the client when the
/// server ran the step, and the client sends its next step then (or when it thaws). A step already sent runs
/// on the server whatever becomes of the client.
extension World {
    func submit(_ work: DatabaseWork, request: RequestID, from pod: Int32) {
        let p = Int(pod)
        while dbClients.count <= p {
            dbClients.append(DatabaseClient(guardOnConflict: has(.guardInsertOnConflict), exactSettlement: has(.exactSettlement),
                                            guardComparesContent: options.guardComparesContent))
        }
        let client = dbClients[p]
        guard !client.busy else {
            client.pending.append((request, work))
            return
        }
        client.start(request, work)
        send(client.connection < 0 ? .connect : DatabaseClient.firstStep, from: pod, at: now)
    }

    /// The lane takes its next job: connect if the connection is gone, then BEGIN and the first statement.
    private func startJob(_ pod: Int32, at time: Int64) {
        let p = Int(pod)
        let client = dbClients[p]
        guard client.takeNextJob() else { return }
        send(client.connection < 0 ? .connect : DatabaseClient.firstStep, from: pod, at: time)
    }

    /// The client sends `step` at `time` (now, or when it thaws or BEGIN's answer arrives).
    func send(_ step: DatabaseClient.Step, from pod: Int32, at time: Int64) {
        let client = dbClients[Int(pod)]
        var flight = DatabaseClient.InFlight(step: step, sentAt: time, arrival: 0)
        if case .statement(_, begins: true) = step {
            let p = Int(pod)
            flight.writer = writer(of: dbClients[p].request, from: pod, at: time)
            flight.beginSentAt = time
            flight.beginAt = time + latency(config.databaseLatency)
            flight.sentAt = flight.beginAt
        }
        flight.arrival = flight.sentAt + latency(config.databaseLatency) + cost(of: step, pod)
        if case .statement(let index, _) = step, index + 1 == client.statementCount {
            deferStatement(flight, of: pod, commitLatency: latency(config.databaseLatency))
        } else {
            schedule(flight, for: pod)
        }
    }

    func schedule(_ flight: DatabaseClient.InFlight, for pod: Int32) {
        let client = dbClients[Int(pod)]
        client.serial &+= 1
        client.inFlight = flight
        queue.schedule(.databaseStep(pod, client.serial), at: flight.arrival)
    }

    /// Whether a statement writes an account a stuck session holds (`stuck-account` poison): it waits for the
    /// row until `statement_timeout` cancels it. The model never runs it: PostgreSQL aborts the transaction.
    func writesLockedAccount(_ statement: DatabaseModel.Statement) -> Bool {
        guard !lockedAccounts.isEmpty else { return false }
        switch statement {
        case .guardedBatch(let write), .optimisticGuardedBatch(let write), .plainBatch(let write), .checkedBatch(let write, _):
            return write.entries.contains { isLocked($0.event.account) }
        case .ensureAccounts(let accounts):
            return accounts.contains { isLocked($0) }
        default:
            return false
        }
    }

    private func isLocked(_ account: AccountID) -> Bool {
        let length = account.rawValue.utf8.count
        return lockedAccounts.contains { $0.rawValue.utf8.count == length && $0 == account }
    }

    /// Server time a statement takes beyond the round trip (the twin's per-entry cost; 0 by default), and the
    /// whole `statement_timeout` for one that waits for a locked account.
    private func cost(of step: DatabaseClient.Step, _ pod: Int32) -> Int64 {
        let client = dbClients[Int(pod)]
        if !lockedAccounts.isEmpty, case .statement(let index, _) = step, writesLockedAccount(client.statement(at: index)) {
            return config.statementTimeout
        }
        guard config.databaseLatencyPerEntry > 0, case .statement(let index, _) = step else { return 0 }
        switch client.statement(at: index) {
        case .guardedBatch(let write), .optimisticGuardedBatch(let write), .plainBatch(let write), .checkedBatch(let write, _):
            return config.databaseLatencyPerEntry * Int64(write.entries.count)
        default: return 0
        }
    }

    /// A step reaches the server.
    func databaseStepArrives(_ pod: Int32, _ serial: UInt32) {
        runDeferredStatements(through: now)
        let p = Int(pod)
        let client = dbClients[p]
        guard client.serial == serial, let flight = client.inFlight, !flight.blocked else { return }
        var wakeups: [DatabaseModel.Wakeup] = []
        let result = runStep(flight, of: pod, at: now, wakeups: &wakeups)
        if options.trace { noteStep(flight, result, of: pod, at: now) }
        if case .blocked = result {
            client.inFlight?.blocked = true
        } else {
            answered(pod, flight.step, result)
        }
        wake(wakeups)
    }

    /// Runs one step on the server at `time`, with the fault windows' coin flips.
    func runStep(_ flight: DatabaseClient.InFlight, of pod: Int32, at time: Int64,
                 wakeups: inout [DatabaseModel.Wakeup]) -> DatabaseModel.StatementResult {
        let p = Int(pod)
        let client = dbClients[p]
        if case .connect = flight.step {
            guard time >= dbOutageUntil else { return .failed(.connectionRefused) }
            client.connection = database.connect(client: pod)
            return .done(.none)
        }
        let connection = client.connection
        guard connection >= 0, database.isOpen(connection) else {
            if case .commit = flight.step { return .failed(.commitConnectionLost) }
            return .failed(.connectionClosed)
        }
        switch flight.step {
        case .statement(let index, let begins):
            if begins {
                client.transaction = database.begin(connection, writer: flight.writer!, at: flight.beginAt)
                if time < dbTransientUntil, random.chance(1, in: 4) { return .failed(.serializationFailure) }
            }
            let statement = client.statement(at: index)
            if writesLockedAccount(statement) { return .failed(.statementTimeout) }
            let result: DatabaseModel.StatementResult
            (result, wakeups) = database.execute(statement, on: connection, at: time)
            return result
        case .commit:
            let ambiguous = time < dbAmbiguousUntil && random.chance(1, in: 4)
            let result: DatabaseModel.StatementResult
            (result, wakeups) = database.commit(connection, at: time)
            guard ambiguous, case .done = result else { return result }
            database.history.transactions[database.history.transactions.count - 1].replyLost = true
            wakeups += database.disconnect(connection, at: time)
            return .failed(.commitConnectionLost)
        case .rollback:
            wakeups = database.rollback(connection, at: time)
            return .done(.none)
        case .connect:
            preconditionFailure("handled above")
        }
    }

    /// The client has the server's answer to `step` (now, or when it thaws) and sends its next step, or
    /// reports the job's result to Core and takes the next job.
    func answered(_ pod: Int32, _ step: DatabaseClient.Step, _ result: DatabaseModel.StatementResult) {
        let p = Int(pod)
        let client = dbClients[p]
        hash.mix(stepCode(step, result))
        client.inFlight = nil
        guard !client.dead, client.busy else {
            client.endJob()
            return
        }
        if case .failed(let error) = result, error.connectionLost { dropConnection(pod) }
        let sendAt = max(now, pods[p].frozenUntil)
        switch client.advance(after: step, result) {
        case .send(let next):
            send(next, from: pod, at: sendAt)
        case .finish(let outcome):
            let request = client.request
            databaseJobFinished(pod, request, client.work, outcome)
            client.endJob()
            hash.mix(outcomeCode(outcome))
            if options.trace { note("\(pods[p].name) gets \(describe(outcome))") }
            if pods[p].isAlive, pods[p].frozenUntil <= now {
                deliverDatabaseReply(pod, request, outcome)
            } else {
                reply(.databaseReply(pod, request, outcome), to: pod)
            }
            if !client.dead, !client.busy { startJob(pod, at: sendAt) }
        }
    }

    /// Statements that had waited and have now run: their clients get the answers.
    func wake(_ wakeups: [DatabaseModel.Wakeup]) {
        for wakeup in wakeups {
            let pod = database.connections[Int(wakeup.connection)].client
            let p = Int(pod)
            let client = dbClients[p]
            guard client.connection == wakeup.connection, let flight = client.inFlight, flight.blocked else { continue }
            if options.trace { note("tx #\(client.transaction) of \(pods[p].name) resumes: \(flight.step.description(in: client)) -> \(wakeup.result)") }
            answered(pod, flight.step, wakeup.result)
        }
    }

    private func dropConnection(_ pod: Int32) {
        let p = Int(pod)
        let client = dbClients[p]
        let connection = client.connection
        client.connection = -1
        if connection >= 0 { wake(database.disconnect(connection, at: now)) }
    }

    // MARK: - What happens to the client

    /// The pod froze: steps it had not sent yet go when it thaws.
    func databaseClientFroze(_ pod: Int32, until thaw: Int64) {
        let p = Int(pod)
        guard p < dbClients.count else { return }
        let client = dbClients[p]
        if var deferred = client.deferred?.flight, deferred.sentAt > now {
            client.deferred = nil
            if deferred.beginSentAt > now {
                send(deferred.step, from: pod, at: thaw)
            } else {
                deferred.sentAt = thaw
                deferred.arrival = thaw + latency(config.databaseLatency) + cost(of: deferred.step, pod)
                deferStatement(deferred, of: pod, commitLatency: latency(config.databaseLatency))
            }
            return
        }
        guard var flight = client.inFlight, !flight.blocked else { return }
        if flight.beginSentAt > now {
            send(flight.step, from: pod, at: thaw)
        } else if flight.sentAt > now {
            flight.sentAt = thaw
            flight.arrival = thaw + latency(config.databaseLatency) + cost(of: flight.step, pod)
            schedule(flight, for: pod)
        }
    }

    /// The pod died: what it had sent still runs; the server notices the closed connection one network
    /// latency later (never before what was sent on it) and aborts the open transaction.
    func databaseClientDied(_ pod: Int32) {
        let p = Int(pod)
        guard p < dbClients.count else { return }
        let client = dbClients[p]
        client.dead = true
        client.pending = []
        var closeAt = now + latency(config.networkLatency)
        if let deferred = client.deferred {
            if max(deferred.flight.beginSentAt, deferred.flight.sentAt) <= now {
                closeAt = max(closeAt, deferred.flight.arrival)
            } else {
                client.deferred = nil
            }
        }
        if let flight = client.inFlight {
            if flight.blocked || max(flight.beginSentAt, flight.sentAt) <= now {
                if !flight.blocked { closeAt = max(closeAt, flight.arrival) }
            } else {
                client.inFlight = nil
            }
        }
        if client.inFlight == nil && client.deferred == nil { client.endJob() }
        if client.connection >= 0 {
            queue.schedule(.databaseDisconnect(pod, client.connection), at: closeAt)
        }
    }

    func databaseDisconnect(_ connection: Int32) {
        runDeferredStatements(through: now)
        wake(database.disconnect(connection, at: now))
    }

    /// The server goes down: every session ends, open transactions abort, waiting statements fail.
    func databaseOutageBegins() {
        runDeferredStatements(through: now)
        for client in dbClients where client.connection >= 0 {
            wake(database.terminate(client.connection, at: now))
        }
        undeferStatementsOnClosedConnections()
    }

    /// Nothing in flight between the pods and the database, nothing open or waiting on the server.
    var databaseIdle: Bool {
        runDeferredStatements(through: now)
        guard database.isIdle && deferredSteps.isEmpty else { return false }
        for client in dbClients where client.inFlight != nil || !(client.dead || client.isIdle) {
            // A dead client's statement that waited was run and its session closed by the server, which sends
            // no answer to a client that is gone: nothing of it is left.
            if client.dead, client.connection < 0 || !database.isOpen(client.connection) { continue }
            return false
        }
        return true
    }

    /// No committed batch of an ended period waits for a settlement run (a batch that committed after its
    /// period's run read its snapshot is counted by the next run).
    var databaseSettled: Bool {
        runDeferredStatements(through: now)
        let current = now / config.settlementPeriod
        return database.unsettledBatches.allSatisfy { database.history.batches[Int($0)].appliedAt / config.settlementPeriod >= current }
    }

    func note(_ text: String) {
        traceNote += traceNote.isEmpty ? text : "; " + text
    }

    func noteStep(_ flight: DatabaseClient.InFlight, _ result: DatabaseModel.StatementResult, of pod: Int32, at time: Int64) {
        let p = Int(pod)
        let client = dbClients[p]
        let when = time == now ? "" : " at \(Timestamp(milliseconds: time))"
        let step = flight.step.description(in: client)
        note(flight.step == .connect ? "connect -> \(result)" : "tx #\(client.transaction)\(when): \(step) -> \(result)")
    }

    func deliverDatabaseReply(_ pod: Int32, _ request: RequestID, _ result: DatabaseResult) {
        guard pods[Int(pod)].isAlive else { return }
        perform(pods[Int(pod)].machine.databaseCompleted(request, result: result, now: Timestamp(milliseconds: now)), for: pod)
    }
}

extension World {
    func stepCode(_ step: DatabaseClient.Step, _ result: DatabaseModel.StatementResult) -> Int64 {
        step.code << 40 | result.code
    }

    /// Folds what a job did into the trace hash, so two runs that schedule the same events but write
    /// different things still differ.
    func outcomeCode(_ result: DatabaseResult) -> Int64 {
        switch result {
        case .committed(.batch(let outcome)): return 1 << 32 | Int64(outcome.applied) << 16 | Int64(outcome.skippedDuplicates)
        case .committed(.settlement(let outcome)): return 2 << 32 | Int64(outcome.settledPeriods.count) << 16 | Int64(outcome.fencedPeriods)
        case .committed(.attempts(let count)): return 3 << 32 | Int64(count)
        case .committed: return 4 << 32
        case .failed(let failure):
            switch failure.kind {
            case .transient: return 5 << 32
            case .permanent(let entry): return 6 << 32 | Int64((entry ?? -1) & 0xFFFF)
            case .rejected(let entry): return 8 << 32 | Int64((entry ?? -1) & 0xFFFF)
            case .ambiguous: return 7 << 32
            }
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
