import CLibPQ
import Foundation
import LiveBlocking

extension PostgresConnection {
    /// Runs one parameterised statement (`$1`, `$2`...) with the extended protocol.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws(PostgresError) -> PostgresRows {
        try await executor.run { () throws(PostgresError) in
            try self.execute(operation: "query", isCommit: false) { conn, params in
                PQexecParams(conn, sql, params.count, params.types, params.values, params.lengths, params.formats, 0)
            } parameters: { parameters }
        }
    }

    /// Runs a script of several statements (simple protocol, no parameters), e.g. a migration.
    public func simpleQuery(_ sql: String) async throws(PostgresError) {
        try await executor.run { () throws(PostgresError) in
            _ = try self.execute(operation: "simple_query", isCommit: false) { conn, _ in PQexec(conn, sql) } parameters: { [] }
        }
    }

    /// Prepares `sql` as `name` now and again after every reconnect.
    public func prepare(_ name: String, _ sql: String) async throws(PostgresError) {
        try await executor.run { () throws(PostgresError) in
            self.statements[name] = sql
            try self.prepareInSession(name)
        }
    }

    /// Executes a statement prepared with `prepare`.
    @discardableResult
    public func execute(prepared name: String, _ parameters: [PostgresValue] = []) async throws(PostgresError) -> PostgresRows {
        try await executor.run { () throws(PostgresError) in
            if !self.preparedInSession.contains(name) { try self.prepareInSession(name) }
            return try self.execute(operation: "execute \(name)", isCommit: false) { conn, params in
                PQexecPrepared(conn, name, params.count, params.values, params.lengths, params.formats, 0)
            } parameters: { parameters }
        }
    }

    private func prepareInSession(_ name: String) throws(PostgresError) {
        guard let sql = statements[name] else {
            throw PostgresError(sqlState: "26000", message: "no statement prepared as \(name)", operation: "prepare", classification: .permanent)
        }
        _ = try execute(operation: "prepare \(name)", isCommit: false) { conn, _ in PQprepare(conn, name, sql, 0, nil) } parameters: { [] }
        preparedInSession.insert(name)
    }

    /// Runs one libpq call on the executor thread and turns its `PGresult` into rows or a classified error.
    func execute(
        operation: String, isCommit: Bool,
        _ call: (OpaquePointer, CParameters) -> OpaquePointer?,
        parameters: () -> [PostgresValue]
    ) throws(PostgresError) -> PostgresRows {
        let params = CParameters(parameters())
        defer { params.free() }
        let result = call(handle, params)
        return try consume(result, operation: operation, isCommit: isCommit)
    }

    /// Turns one `PGresult` (nil: libpq returned none) into rows or a classified error, and frees it.
    func consume(_ result: OpaquePointer?, operation: String, isCommit: Bool) throws(PostgresError) -> PostgresRows {
        guard let result else {
            let lost = PQstatus(handle) != CONNECTION_OK
            throw PostgresError(
                sqlState: nil, message: connectionMessage(handle), operation: operation,
                classification: PostgresError.classify(sqlState: nil, connectionLost: lost, duringCommit: isCommit)
            )
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let sqlState = field(result, "C")
            let lost = PQstatus(handle) != CONNECTION_OK
            throw PostgresError(
                sqlState: sqlState,
                message: field(result, "M") ?? connectionMessage(handle),
                detail: field(result, "D"), constraint: field(result, "n"), operation: operation,
                classification: PostgresError.classify(sqlState: sqlState, connectionLost: lost, duringCommit: isCommit)
            )
        }
        return rows(of: result)
    }

    private func field(_ result: OpaquePointer, _ code: Character) -> String? {
        PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
    }

    private func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            rows.append((0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }
}

/// Parameters laid out as libpq wants them; the C copies live until `free()`.
struct CParameters {
    let count: Int32
    let types: [Oid]
    let values: [UnsafePointer<CChar>?]
    let lengths: [Int32]
    let formats: [Int32]
    private let buffers: [UnsafeMutableRawPointer?]
    /// Which buffers came from `strdup` (freed with `free`) rather than `allocate` (freed with `deallocate`).
    private let fromStrdup: [Bool]

    init(_ parameters: [PostgresValue]) {
        var types: [Oid] = [], lengths: [Int32] = [], formats: [Int32] = [], buffers: [UnsafeMutableRawPointer?] = []
        var fromStrdup: [Bool] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                types.append(0); lengths.append(0); formats.append(0); buffers.append(nil); fromStrdup.append(false)
            case .text(let string):
                types.append(0); lengths.append(0); formats.append(0); buffers.append(UnsafeMutableRawPointer(strdup(string)))
                fromStrdup.append(true)
            case .binary(let bytes, let oid):
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count) }
                types.append(oid); lengths.append(Int32(bytes.count)); formats.append(1); buffers.append(buffer)
                fromStrdup.append(false)
            }
        }
        self.count = Int32(parameters.count)
        self.types = types
        self.lengths = lengths
        self.formats = formats
        self.buffers = buffers
        self.fromStrdup = fromStrdup
        self.values = buffers.map { $0.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) } }
    }

    func free() {
        for (buffer, isCString) in zip(buffers, fromStrdup) {
            guard let buffer else { continue }
            if isCString { Foundation.free(buffer) } else { buffer.deallocate() }
        }
    }
}
