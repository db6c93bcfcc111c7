import CRdKafka

/// Owns an `rd_kafka_conf_t` until `rd_kafka_new` takes it over (then `release()` forgets it).
final class KafkaConf {
    private(set) var pointer: OpaquePointer?

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }

    static func make(_ properties: [(String, String)], operation: String) throws(KafkaError) -> KafkaConf {
        let conf = KafkaConf(pointer: rd_kafka_conf_new())
        for (name, value) in properties {
            try conf.set(name, value, operation: operation)
        }
        return conf
    }

    func set(_ name: String, _ value: String, operation: String) throws(KafkaError) {
        guard let pointer else { return }
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(pointer, name, value, &errstr, errstr.count)
        if result != RD_KAFKA_CONF_OK {
            throw KafkaError.invalid("\(name)=\(value): \(errorText(errstr))", operation)
        }
    }

    /// Hands the configuration to librdkafka, which owns it from then on.
    func release() -> OpaquePointer? {
        defer { pointer = nil }
        return pointer
    }
}

/// Creates an `rd_kafka_t`; on failure librdkafka's `errstr` becomes the error message.
func makeKafkaHandle(_ type: rd_kafka_type_t, _ conf: KafkaConf, operation: String) throws(KafkaError) -> OpaquePointer {
    var errstr = [CChar](repeating: 0, count: 512)
    guard let raw = conf.release() else { throw KafkaError.invalid("configuration already used", operation) }
    guard let handle = rd_kafka_new(type, raw, &errstr, errstr.count) else {
        rd_kafka_conf_destroy(raw)
        throw KafkaError.invalid(errorText(errstr), operation)
    }
    return handle
}

/// The NUL-terminated text librdkafka wrote into an `errstr` buffer.
func errorText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
