import Core
import LivePostgres

extension PostgresArrayLiteral {
    /// Event ids in their canonical text, written byte by byte (a 500-event batch is one string).
    static func uuids<S: Sequence<EventID>>(_ values: S) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(37 * values.underestimatedCount + 2)
        for value in values {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            value.appendText(to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
