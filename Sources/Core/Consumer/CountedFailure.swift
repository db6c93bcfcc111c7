/// One failed attempt of a poison event as the consumer counted it: the count it believed after this failure.
public struct CountedFailure: Hashable, Sendable {
    public var eventID: EventID
    public var partition: PartitionID
    public var offset: Offset
    public var attempts: Int

    public init(eventID: EventID, partition: PartitionID, offset: Offset, attempts: Int) {
        self.eventID = eventID
        self.partition = partition
        self.offset = offset
        self.attempts = attempts
    }
}
