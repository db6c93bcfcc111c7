/// The outcome of a `DatabaseWork` transaction as the client saw it.
public enum DatabaseResult: Hashable, Sendable {
    case committed(DatabaseReply)
    case failed(DatabaseFailure)
}

public enum DatabaseReply: Hashable, Sendable {
    case none
    /// For `loadOffsets`: the stored next offset per requested partition, `nil` where none was stored.
    case offsets([StoredOffset])
    case batch(BatchOutcome)
    /// For `recordFailure`: the durable attempt count after this failure.
    case attempts(Int)
    case settlement(SettlementOutcome)
}

public struct StoredOffset: Hashable, Sendable {
    public var partition: PartitionID
    public var nextOffset: Offset?

    public init(partition: PartitionID, nextOffset: Offset?) {
        self.partition = partition
        self.nextOffset = nextOffset
    }
}

public struct BatchOutcome: Hashable, Sendable {
    /// Entries whose effect was written.
    public var applied: Int
    /// Entries skipped because `processed_events` already had them.
    public var skippedDuplicates: Int
    /// The balance of every account the batch touched, after the batch (used by the `before` cache).
    public var balances: [AccountBalance]

    public init(applied: Int, skippedDuplicates: Int, balances: [AccountBalance] = []) {
        self.applied = applied
        self.skippedDuplicates = skippedDuplicates
        self.balances = balances
    }
}

public struct AccountBalance: Hashable, Sendable {
    public var account: AccountID
    public var balanceCents: Int64

    public init(account: AccountID, balanceCents: Int64) {
        self.account = account
        self.balanceCents = balanceCents
    }
}

public struct SettlementOutcome: Hashable, Sendable {
    /// Per period this run settled (inserted a settlement row for), in period order: what the row holds and
    /// what it counted.
    public var settled: [SettledPeriod]
    /// Periods another run had already fenced.
    public var fencedPeriods: Int

    /// Periods this run settled.
    public var settledPeriods: [Int64] { settled.map(\.period) }

    public init(settled: [SettledPeriod], fencedPeriods: Int) {
        self.settled = settled
        self.fencedPeriods = fencedPeriods
    }
}

/// One settlement row a run inserted, with the ledger rows its total counted (named by event id, ascending;
/// an event appears once per counted row), so a history of the run can check the total against the
/// applications it recorded. A live worker that writes no history does not ask for `events` (empty).
public struct SettledPeriod: Hashable, Sendable {
    public var period: Int64
    public var totalCents: Int64
    /// `ledger_batches` rows the run marked with this period (0 for a window settlement, which marks none).
    public var batches: Int
    public var events: [EventID]

    public init(period: Int64, totalCents: Int64, batches: Int, events: [EventID]) {
        self.period = period
        self.totalCents = totalCents
        self.batches = batches
        self.events = events
    }
}

public struct DatabaseFailure: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Nothing was applied and trying again may succeed (connection refused or lost before COMMIT,
        /// serialization failure, deadlock, server shutting down).
        case transient
        /// Nothing was applied and the same statements will fail again (constraint or data error).
        /// `entryIndex` names the failing batch entry when the driver knows it.
        case permanent(entryIndex: Int?)
        /// Nothing was applied and the entry can never succeed, whatever is retried: its values are out of
        /// range (a data exception or a CHECK violation), or it reuses the id of a processed event with another
        /// account or amount. It goes to the dead-letter topic at once, without retries.
        case rejected(entryIndex: Int?)
        /// The connection was lost while COMMIT was in flight: the transaction may or may not have applied.
        case ambiguous
    }

    public var kind: Kind
    public var reason: String
    /// The SQLSTATE the server answered with, when it answered (nil: the connection failed, or unknown).
    public var sqlState: String?

    public init(_ kind: Kind, reason: String, sqlState: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.sqlState = sqlState
    }

    public var className: String {
        switch kind {
        case .transient: return "transient"
        case .permanent: return "permanent"
        case .rejected: return "rejected"
        case .ambiguous: return "ambiguous"
        }
    }
}

extension DatabaseFailure.Kind {
    /// The failing batch entry, when the driver named it.
    public var entryIndex: Int? {
        switch self {
        case .permanent(let index), .rejected(let index): return index
        case .transient, .ambiguous: return nil
        }
    }
}

extension DatabaseFailure {
    /// The reason, and its first word, of an entry that reuses the id of an applied event with another account
    /// or amount: a duplicate would carry the same content, so this one is a different event under a reused id.
    public static let eventIDConflictReason = "event_id_conflict"

    public static func eventIDConflict(entryIndex: Int, event: Event, appliedAccount: AccountID, appliedAmountCents: Int64) -> Self {
        DatabaseFailure(.rejected(entryIndex: entryIndex), reason: "\(eventIDConflictReason): event \(event.id) was applied"
            + " to account \(appliedAccount.rawValue) with \(appliedAmountCents) cents; this message names account"
            + " \(event.account.rawValue) with \(event.amountCents) cents")
    }
}
