/// The rows a statement returned, copied out of the `PGresult` in text format.
public struct PostgresRows: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String?]]
    /// `PQcmdTuples`: rows inserted/updated/deleted (0 for other commands).
    public var affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public var count: Int { rows.count }

    /// The value of `column` in row `row`, or nil for SQL NULL or a missing column.
    public func value(_ row: Int, _ column: String) -> String? {
        guard let index = columns.firstIndex(of: column), row < rows.count else { return nil }
        return rows[row][index]
    }

    public func int64(_ row: Int, _ column: String) -> Int64? {
        value(row, column).flatMap { Int64($0) }
    }

    public func bool(_ row: Int, _ column: String) -> Bool? {
        value(row, column).map { $0 == "t" }
    }
}
