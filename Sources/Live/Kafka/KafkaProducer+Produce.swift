import CRdKafka

extension KafkaProducer {
    /// One `rd_kafka_produceva` call; librdkafka copies key, value and takes the headers on success.
    func produce(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer) -> KafkaError? {
        // No header list at all for header-less messages: one allocation less per message.
        let headers = message.headers.isEmpty ? nil : rd_kafka_headers_new(message.headers.count)
        for header in message.headers {
            if let value = header.value {
                value.withUnsafeBytes { _ = rd_kafka_header_add(headers, header.name, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(headers, header.name, -1, nil, 0)
            }
        }
        let error: KafkaError? = message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                withOptionalBytes(message.key) { key in
                    var vus: [rd_kafka_vu_t] = []
                    vus.reserveCapacity(8)  // at most 8 entries: no regrowth per message
                    var vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_TOPIC; vu.u.cstr = topic; vus.append(vu)
                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_VALUE
                    vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress); vu.u.mem.size = value.count
                    vus.append(vu)
                    if let key {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_KEY
                        vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress); vu.u.mem.size = key.count
                        vus.append(vu)
                    }
                    if let partition = message.partition {
                        vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_PARTITION; vu.u.i32 = partition; vus.append(vu)
                    }
                    if let headers {
                        vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_HEADERS; vu.u.headers = headers; vus.append(vu)
                    }
                    vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS; vu.u.i = RD_KAFKA_MSG_F_COPY; vus.append(vu)
                    vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_OPAQUE; vu.u.ptr = opaque; vus.append(vu)
                    return KafkaError.take(rd_kafka_produceva(handle, vus, vus.count), "produce")
                }
            }
        }
        if error != nil, let headers { rd_kafka_headers_destroy(headers) }
        return error
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
