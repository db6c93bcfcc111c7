import Core

/// Trace text and trace-hash codes of the database's protocol steps.
extension DatabaseClient.Step {
    func description(in client: DatabaseClient) -> String {
        guard case .statement(let index, _) = self, client.busy else { return description(of: nil) }
        return description(of: client.statement(at: index))
    }

    func description(of statement: DatabaseModel.Statement?) -> String {
        switch self {
        case .connect: return "connect"
        case .statement(let index, let begins):
            return (begins ? "BEGIN; " : "") + (statement.map(\.description) ?? "statement \(index)")
        case .commit: return "COMMIT"
        case .rollback: return "ROLLBACK"
        }
    }

    var code: Int64 {
        switch self {
        case .connect: return 1
        case .statement(let index, let begins): return 2 + Int64(index) << 1 | (begins ? 1 : 0)
        case .commit: return 30
        case .rollback: return 31
        }
    }
}

extension DatabaseModel.Statement: CustomStringConvertible {
    var description: String {
        switch self {
        case .guardedBatch(let write): return "guarded batch of \(write.entries.count)"
        case .optimisticGuardedBatch(let write): return "optimistic guarded batch of \(write.entries.count)"
        case .ensureAccounts(let accounts): return "ensure \(accounts.count) accounts"
        case .plainBatch(let write): return "unguarded batch of \(write.entries.count)"
        case .recordFailure(let record): return "record failure of p\(record.partition)@\(record.offset)"
        case .markDeadLettered(let mark): return "mark dead-lettered p\(mark.partition)@\(mark.offset)"
        case .loadOffsets(let partitions): return "load offsets \(partitions.map { "p\($0)" }.joined(separator: ","))"
        case .fencedSettlement(let write): return "fenced settlement of periods \(write.fromPeriod)-\(write.throughPeriod)"
        case .plainSettlement(let write): return "settle period \(write.throughPeriod)"
        case .windowSettlement(let write): return "fenced window settlement of periods \(write.fromPeriod)-\(write.throughPeriod)"
        case .selectGuard(let ids): return "select \(ids.count) guard rows"
        case .checkedBatch(let write, _): return "checked batch of \(write.entries.count)"
        case .guardConflicts(let write): return "guard conflicts of \(write.entries.count)"
        }
    }

    var code: Int64 {
        switch self {
        case .guardedBatch: return 1
        case .optimisticGuardedBatch: return 2
        case .ensureAccounts: return 3
        case .plainBatch: return 4
        case .recordFailure: return 5
        case .markDeadLettered: return 6
        case .loadOffsets: return 7
        case .fencedSettlement: return 8
        case .plainSettlement: return 9
        case .windowSettlement: return 10
        case .selectGuard: return 11
        case .checkedBatch: return 12
        case .guardConflicts: return 13
        }
    }
}

extension DatabaseModel.StatementResult: CustomStringConvertible {
    var description: String {
        switch self {
        case .done(.applied(let count, _)): return "applied \(count)"
        case .done(.guardRows(let present)): return "\(present.filter { $0 }.count) present"
        case .done(.settled(let rows)): return "settled \(rows.map(\.period))"
        case .done(.attempts(let count)): return "attempts \(count)"
        case .done(.conflict(let conflict?)): return "entry \(conflict.entry) conflicts"
        case .done: return "ok"
        case .blocked(let other): return "waits for tx #\(other)"
        case .failed(let error): return error.text
        }
    }

    var code: Int64 {
        switch self {
        case .done(.applied(let count, _)): return 1 << 20 | Int64(count)
        case .done(.settled(let rows)): return 2 << 20 | Int64(rows.count)
        case .done(.attempts(let count)): return 3 << 20 | Int64(count)
        case .done(.conflict(let conflict?)): return 7 << 20 | Int64(conflict.entry)
        case .done: return 4 << 20
        case .blocked(let other): return 5 << 20 | Int64(other)
        case .failed(let error): return 6 << 20 | Int64(error.state.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF)
        }
    }
}
