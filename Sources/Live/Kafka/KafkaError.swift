import CRdKafka

/// A librdkafka error: the C error code, its symbolic name (`rd_kafka_err2name`, e.g. `_TRANSPORT`,
/// `NOT_COORDINATOR`) and the message librdkafka gave, plus what the caller was doing.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `rd_kafka_resp_err_t` value. Negative codes are client-side (`_TIMED_OUT`), positive ones come
    /// from the broker protocol.
    public let code: Int32
    /// librdkafka's name for `code`, without the `RD_KAFKA_RESP_ERR_` prefix.
    public let name: String
    /// The most specific message available (the `errstr` buffer, the error object or `rd_kafka_err2str`).
    public let message: String
    /// The operation that failed, e.g. `"commit"`.
    public let operation: String
    /// librdkafka flagged the error as fatal: the handle is unusable and must be recreated.
    public let isFatal: Bool
    /// librdkafka flagged the operation as safe to retry.
    public let isRetriable: Bool

    public init(
        code: Int32, name: String, message: String, operation: String,
        isFatal: Bool = false, isRetriable: Bool = false
    ) {
        self.code = code
        self.name = name
        self.message = message
        self.operation = operation
        self.isFatal = isFatal
        self.isRetriable = isRetriable
    }

    public var description: String { "\(operation): \(name) (\(code)): \(message)" }

    /// Codes that callers branch on.
    public static let noError: Int32 = RD_KAFKA_RESP_ERR_NO_ERROR.rawValue
    public static let timedOut: Int32 = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
    public static let queueFull: Int32 = RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue
    public static let noOffset: Int32 = RD_KAFKA_RESP_ERR__NO_OFFSET.rawValue
    public static let state: Int32 = RD_KAFKA_RESP_ERR__STATE.rawValue
    public static let invalidArgument: Int32 = RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue
    public static let messageTimedOut: Int32 = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue

    /// Builds an error from a code, keeping librdkafka's own text for it.
    static func code(_ err: rd_kafka_resp_err_t, _ operation: String, message: String? = nil) -> KafkaError {
        KafkaError(
            code: err.rawValue, name: String(cString: rd_kafka_err2name(err)),
            message: message ?? String(cString: rd_kafka_err2str(err)), operation: operation
        )
    }

    /// Consumes (destroys) an `rd_kafka_error_t`; `nil` means success.
    static func take(_ error: OpaquePointer?, _ operation: String) -> KafkaError? {
        guard let error else { return nil }
        defer { rd_kafka_error_destroy(error) }
        return KafkaError(
            code: rd_kafka_error_code(error).rawValue, name: String(cString: rd_kafka_error_name(error)),
            message: String(cString: rd_kafka_error_string(error)), operation: operation,
            isFatal: rd_kafka_error_is_fatal(error) != 0, isRetriable: rd_kafka_error_is_retriable(error) != 0
        )
    }

    /// A configuration or argument problem detected by this wrapper before calling librdkafka.
    static func invalid(_ message: String, _ operation: String) -> KafkaError {
        code(RD_KAFKA_RESP_ERR__INVALID_ARG, operation, message: message)
    }

    /// Looks up a code by its librdkafka name (`"NOT_LEADER_FOR_PARTITION"`, `"_TRANSPORT"`), for fault
    /// injection by name. Accepts the name with or without the `RD_KAFKA_RESP_ERR_` prefix.
    public static func code(named name: String) -> Int32? {
        let wanted = name.hasPrefix("RD_KAFKA_RESP_ERR_") ? String(name.dropFirst(18)) : name
        var descs: UnsafePointer<rd_kafka_err_desc>?
        var count = 0
        rd_kafka_get_err_descs(&descs, &count)
        guard let descs else { return nil }
        for index in 0..<count {
            guard let cName = descs[index].name else { continue }
            if String(cString: cName) == wanted { return descs[index].code.rawValue }
        }
        return nil
    }
}
