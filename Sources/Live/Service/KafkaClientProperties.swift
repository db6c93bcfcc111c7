import ArgumentParser

/// librdkafka properties from a `key=value[,key=value...]` environment variable. `KAFKA_CLIENT_PROPERTIES` reaches
/// every Kafka client of a process (the api's producer, the worker's consumer and dead-letter producer): the
/// connection's security settings (TLS, SASL/SCRAM user and password) that the EKS manifests set. The design's own
/// settings stay fixed in code; a tuning variable such as `WORKER_CONSUMER_PROPERTIES` is read the same way.
public enum KafkaClientProperties {
    public static let environmentKey = "KAFKA_CLIENT_PROPERTIES"

    public static func parse(_ text: String?, variable: String) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        var properties: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                // The pair is not echoed: it may hold a password.
                throw ValidationError("\(variable): expected key=value[,key=value...], got a pair without '=' or key")
            }
            properties[String(parts[0])] = String(parts[1])
        }
        return properties
    }
}
