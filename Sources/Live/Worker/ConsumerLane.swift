import Core
import LiveKafka
import Logging

/// Every operation on the consumer other than polling, carried out in the order the driver asked for it.
///
/// Order matters: two progress commits must not overtake each other (Kafka's committed offset would move
/// backwards), a pause must reach librdkafka before the poll it protects, and an acknowledgement must follow
/// the commit it waited for. librdkafka serialises the calls on the consumer's thread; this lane keeps them in
/// the driver's order without making the driver's loop wait for the broker.
final class ConsumerLane: Sendable {
    enum Operation: Sendable {
        case acknowledge(KafkaRebalance)
        case pause([PartitionID])
        case resume([PartitionID])
        case seek(PartitionOffset)
        case commit(RequestID, OffsetCommit)
        /// The operations queued before this are on the consumer: this reason no longer holds the poll task.
        case openGate(PollGate.Reason)
        /// Learn the group's committed offsets (for the lag of partitions this consumer has not committed yet).
        case committed([PartitionID], high: [PartitionID: Int64])
        /// Leave the group and close the consumer.
        case close
    }

    private let consumer: KafkaConsumer
    private let topic: String
    private let mailbox: Mailbox
    private let gate: PollGate
    private let logger: Logger
    private let stream: AsyncStream<Operation>
    private let continuation: AsyncStream<Operation>.Continuation

    init(consumer: KafkaConsumer, topic: String, mailbox: Mailbox, gate: PollGate, logger: Logger) {
        self.consumer = consumer
        self.topic = topic
        self.mailbox = mailbox
        self.gate = gate
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Operation.self, bufferingPolicy: .unbounded)
    }

    func submit(_ operation: Operation) {
        continuation.yield(operation)
    }

    /// Runs until `finish()`; every queued operation is carried out first.
    func run() async {
        for await operation in stream {
            await carryOut(operation)
        }
    }

    func finish() {
        continuation.finish()
    }

    private func partitions(_ ids: [PartitionID]) -> [KafkaTopicPartition] {
        ids.map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    private func carryOut(_ operation: Operation) async {
        switch operation {
        case .acknowledge(let rebalance):
            do {
                try await consumer.acknowledge(rebalance)
                if rebalance.kind == .assigned, let member = await consumer.memberID() { mailbox.post(.member(member)) }
            } catch {
                logger.error("acknowledging \(rebalance): \(error)")
            }
        case .pause(let ids):
            do { _ = try await consumer.pause(partitions(ids)) } catch { logger.warning("pause \(ids): \(error)") }
        case .resume(let ids):
            do { _ = try await consumer.resume(partitions(ids)) } catch { logger.warning("resume \(ids): \(error)") }
        case .seek(let position):
            let target = KafkaTopicPartitionOffset(topic: topic, partition: position.partition, offset: position.offset)
            do {
                let results = try await consumer.seek([target])
                for result in results where result.error != nil {
                    logger.error("seek \(target): \(result.error!)")
                }
            } catch {
                logger.error("seek \(target): \(error)")
            }
        case .commit(let request, let commit):
            let offsets = commit.offsets.map {
                KafkaTopicPartitionOffset(topic: topic, partition: $0.partition, offset: $0.offset)
            }
            let result = await consumer.commit(offsets)
            mailbox.post(.commit(request, commit, Self.commitResult(result)))
        case .openGate(let reason):
            gate.open(reason)
        case .committed(let ids, let high):
            var committed: [PartitionID: Int64] = [:]
            if let offsets = try? await consumer.committed(partitions(ids), timeout: .seconds(1)) {
                for entry in offsets {
                    // No commit yet: the group starts at the beginning (auto.offset.reset=earliest).
                    committed[entry.topicPartition.partition] = max(0, entry.offset)
                }
            }
            mailbox.post(.watermarks(high: high, committed: committed))
        case .close:
            do {
                try await consumer.close()
            } catch {
                logger.warning("closing the consumer: \(error)")
            }
            mailbox.post(.consumerClosed)
        }
    }

    /// librdkafka's answer in Core's terms. A stale generation or a vanished member means the partitions may
    /// belong to someone else already; Core never retries those.
    static func commitResult(_ result: KafkaCommitResult) -> CommitResult {
        if result.succeeded { return .committed }
        let error = result.error ?? result.partitions.compactMap(\.error).first
        switch error?.name {
        case "ILLEGAL_GENERATION", "FENCED_INSTANCE_ID": return .failed(.staleGeneration)
        case "UNKNOWN_MEMBER_ID": return .failed(.unknownMember)
        case "REBALANCE_IN_PROGRESS": return .failed(.rebalanceInProgress)
        default: return .failed(.unavailable(error?.description ?? "commit failed"))
        }
    }
}
