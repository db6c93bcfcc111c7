/// A statement parameter. Text parameters are sent as text and cast by the server from the statement's
/// context (`$1::uuid`); binary ones carry their type OID and network-order bytes.
public enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
    case binary([UInt8], oid: UInt32)

    public static func int64(_ value: Int64) -> PostgresValue {
        .binary(withUnsafeBytes(of: value.bigEndian) { Array($0) }, oid: 20)
    }

    public static func int32(_ value: Int32) -> PostgresValue {
        .binary(withUnsafeBytes(of: value.bigEndian) { Array($0) }, oid: 23)
    }

    public static func bool(_ value: Bool) -> PostgresValue {
        .binary([value ? 1 : 0], oid: 16)
    }

    public static func bytea(_ bytes: [UInt8]) -> PostgresValue {
        .binary(bytes, oid: 17)
    }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
}
