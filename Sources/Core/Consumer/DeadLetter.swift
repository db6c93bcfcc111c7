/// A message for the dead-letter topic, with the reason it could not be processed.
public struct DeadLetter: Hashable, Sendable {
    public var partition: PartitionID
    public var offset: Offset
    public var payload: Payload
    public var reason: String
    public var attempts: Int

    public init(partition: PartitionID, offset: Offset, payload: Payload, reason: String, attempts: Int) {
        self.partition = partition
        self.offset = offset
        self.payload = payload
        self.reason = reason
        self.attempts = attempts
    }

    public var eventID: EventID? {
        if case .event(let event) = payload { return event.id }
        return nil
    }
}

public enum PublishResult: Hashable, Sendable {
    case published
    case failed(String)
}
