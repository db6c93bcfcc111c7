extension DatabaseFailure {
    /// The first word of the reason of an entry PostgreSQL refused for its own values.
    public static let rejectedInputReason = "rejected_input"

    /// The SQLSTATEs with which PostgreSQL refuses one row for its own values, by a rule the schema states
    /// about that row alone, with their condition names (PostgreSQL's errcodes.txt). No retry can succeed, so
    /// a batch entry that fails alone with one of them is rejected: dead-lettered at once.
    /// - 23514 check_violation: the ledger's CHECK on `amount_cents`.
    /// - 23502 not_null_violation: a NULL in a NOT NULL column.
    /// - 22P02 invalid_text_representation: a parameter that does not parse as its column's type.
    /// - 22021 character_not_in_repertoire: text PostgreSQL cannot store (a NUL byte, an invalid encoding).
    ///
    /// Deliberately absent, so retried within the budget as any permanent failure: 22003
    /// numeric_value_out_of_range, which the worker's statements raise only when an account's balance would
    /// leave `bigint` (each amount is bounded by the CHECK), so it depends on the balance and a later debit can
    /// let the entry through; 54000 program_limit_exceeded (an index row over the btree limit), a limit of the
    /// installation rather than a rule about the value; 23505, the guard's, which the conflict-tolerant batch
    /// handles.
    public static let rejectingConditions: [(state: String, name: String)] = [
        ("23514", "check_violation"), ("23502", "not_null_violation"), ("22P02", "invalid_text_representation"),
        ("22021", "character_not_in_repertoire"),
    ]

    /// Whether an entry that fails alone with this SQLSTATE can never succeed.
    public static func rejects(sqlState: String) -> Bool {
        rejectingConditions.contains { $0.state == sqlState }
    }

    /// The failure of a batch entry PostgreSQL refused for its own values; the reason names the SQLSTATE, its
    /// condition and the constraint (when the server named one).
    public static func rejectedEntry(_ entryIndex: Int?, sqlState: String, message: String, constraint: String?) -> Self {
        let name = rejectingConditions.first { $0.state == sqlState }?.name ?? "data_error"
        let on = constraint.map { " on constraint \($0)" } ?? ""
        return DatabaseFailure(.rejected(entryIndex: entryIndex), reason: "\(rejectedInputReason): \(sqlState) \(name)\(on): \(message)")
    }
}
