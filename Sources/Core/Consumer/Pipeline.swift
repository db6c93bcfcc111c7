/// The consumer's single lane of ordered work. One step at a time keeps per-partition order trivially and
/// matches the live runtime's one database connection per consumer.
enum Pipeline: Sendable {
    case idle
    case inFlight(RequestID, PipelineStep)
    /// Backing off until `TimerID.retryPipeline` fires.
    case waiting(PipelineStep)

    var step: PipelineStep? {
        switch self {
        case .idle: return nil
        case .inFlight(_, let step), .waiting(let step): return step
        }
    }

    var isInFlight: Bool {
        if case .inFlight = self { return true }
        return false
    }
}

enum PipelineStep: Sendable {
    case batch(Batch)
    /// `after`: count a permanent failure of the poison event durably.
    case recordFailure(Poison)
    /// `after`: publish the poison event to the dead-letter topic and wait for the acknowledgement.
    case publish(Poison)
    /// `after`: mark it handled and store the offset after it.
    case markDeadLettered(Poison)

    var partitions: [PartitionID] {
        switch self {
        case .batch(let batch): return batch.partitions
        case .recordFailure(let poison), .publish(let poison), .markDeadLettered(let poison):
            return [poison.message.partition]
        }
    }
}

struct Batch: Sendable {
    /// Messages carrying events, per partition in offset order.
    var messages: [Message]
    /// Attempts made so far (0 before the first).
    var attempt: Int

    var partitions: [PartitionID] { nextOffsets.map(\.partition) }

    /// The next offset after this batch, for each partition it touches, in order of first appearance. One pass:
    /// a partition's messages are in offset order, so its last one seen is its highest.
    var nextOffsets: [PartitionOffset] {
        var next: [PartitionOffset] = []
        // At most one per message, usually a few: reserved once rather than grown append by append.
        next.reserveCapacity(min(messages.count, 16))
        for message in messages {
            if next.last?.partition == message.partition {
                next[next.count - 1].offset = message.offset + 1
            } else if let index = next.firstIndex(where: { $0.partition == message.partition }) {
                next[index].offset = message.offset + 1
            } else {
                next.append(PartitionOffset(partition: message.partition, offset: message.offset + 1))
            }
        }
        return next
    }
}

struct Poison: Sendable {
    var message: Message
    var reason: String
    var attempts: Int
    /// It failed transiently alone while the database worked (`stuck-batch-isolation`), not permanently.
    var transient = false
}
