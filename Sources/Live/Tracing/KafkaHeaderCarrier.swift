public import Instrumentation
public import LiveKafka

/// Kafka message headers as the carrier of the W3C trace context: the api writes `traceparent` (and `tracestate`)
/// into the event's headers when it produces, the worker reads them back to continue the event's trace.
public struct KafkaHeaderInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [KafkaHeader]) {
        carrier.append(KafkaHeader(name: key, string: value))
    }
}

public struct KafkaHeaderExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: [KafkaHeader]) -> String? {
        carrier.first { $0.name == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
