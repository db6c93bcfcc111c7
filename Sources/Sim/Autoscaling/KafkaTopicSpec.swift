/// A Strimzi `KafkaTopic`: what the scaler's partition cap and the consumer group depend on.
public struct KafkaTopicSpec: Sendable, Equatable, Hashable {
    /// `metadata.name` of the resource.
    public var name: String
    /// `spec.topicName`, or the resource name when unset (Strimzi's rule).
    public var topicName: String
    public var partitions: Int
    public var replicas: Int

    public init(name: String, topicName: String? = nil, partitions: Int, replicas: Int) {
        self.name = name
        self.topicName = topicName ?? name
        self.partitions = partitions
        self.replicas = replicas
    }
}
