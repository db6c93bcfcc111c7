/// A group rebalance handed to the application. librdkafka does not change the consumer's assignment until
/// the application calls `KafkaConsumer.acknowledge(_:)`: that is the window in which a replica-safe
/// consumer stops taking work for revoked partitions, finishes or abandons in-flight work and commits.
///
/// The acknowledgement must come within `max.poll.interval.ms`, and the consumer must keep polling meanwhile
/// (librdkafka: "the application must call assign() after the rebalance callback ... but not necessarily
/// from the callback itself"). Until then, with the eager protocol, the rest of the group waits in JoinGroup.
public struct KafkaRebalance: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Partitions newly assigned to this member.
        case assigned
        /// Partitions taken away in an orderly rebalance: committing them before acknowledging is allowed.
        case revoked
        /// Partitions lost involuntarily (session timeout, fenced): they may already belong to another member,
        /// so commits for them can fail and in-flight work must be abandoned.
        case lost
    }

    public enum RebalanceProtocol: String, Sendable {
        /// `range`/`roundrobin`: every rebalance revokes the whole assignment.
        case eager = "EAGER"
        /// `cooperative-sticky`: only moved partitions are revoked, the rest keep flowing.
        case cooperative = "COOPERATIVE"
    }

    /// Identifies this rebalance for `acknowledge`; increases per consumer.
    public let id: UInt64
    public let kind: Kind
    public let rebalanceProtocol: RebalanceProtocol
    public let partitions: [KafkaTopicPartition]

    public var description: String {
        "rebalance #\(id) \(kind.rawValue) (\(rebalanceProtocol.rawValue)): \(partitions.map(\.description).joined(separator: ","))"
    }
}

/// The result of an offset commit: an overall error and one entry per partition.
public struct KafkaCommitResult: Sendable, Equatable {
    /// The request-level error, if any (`_NO_OFFSET` when there was nothing to commit is reported as success).
    public var error: KafkaError?
    public var partitions: [KafkaPartitionResult]

    /// True when the request and every partition succeeded.
    public var succeeded: Bool { error == nil && partitions.allSatisfy { $0.error == nil } }
}

/// What `KafkaConsumer.poll` returns, in the order librdkafka produced it.
public enum KafkaConsumerEvent: Sendable {
    case message(KafkaMessage)
    /// Must be acknowledged with `KafkaConsumer.acknowledge(_:)`.
    case rebalance(KafkaRebalance)
    /// Result of an asynchronous (or automatic) offset commit.
    case offsetsCommitted(KafkaCommitResult)
    /// A non-fatal client or broker error (librdkafka retries on its own); `isFatal` errors are not recoverable.
    case error(KafkaError)
}
