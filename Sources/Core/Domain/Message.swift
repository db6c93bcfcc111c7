/// A partition of the events topic. Kafka partitions are 32-bit.
public typealias PartitionID = Int32

/// A Kafka offset. Committed offsets follow Kafka's convention: the offset of the *next* message to read.
public typealias Offset = Int64

/// A message as fetched from Kafka, decoded by the driver.
public struct Message: Hashable, Sendable {
    public var partition: PartitionID
    public var offset: Offset
    public var payload: Payload

    public init(partition: PartitionID, offset: Offset, payload: Payload) {
        self.partition = partition
        self.offset = offset
        self.payload = payload
    }

    public init(partition: PartitionID, offset: Offset, event: Event) {
        self.init(partition: partition, offset: offset, payload: .event(event))
    }

    public var event: Event? {
        if case .event(let event) = payload { return event }
        return nil
    }

    /// Whether the payload decoded to an event (without copying the event out).
    public var carriesEvent: Bool {
        if case .event = payload { return true }
        return false
    }
}

/// What a message carried: a decodable event, or bytes no version of the consumer can read (a poison pill).
public enum Payload: Hashable, Sendable {
    case event(Event)
    case undecodable(reason: String, raw: [UInt8])
}

/// A partition and the next offset to read in it.
public struct PartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public var partition: PartitionID
    public var offset: Offset

    public init(partition: PartitionID, offset: Offset) {
        self.partition = partition
        self.offset = offset
    }

    public var description: String { "p\(partition)@\(offset)" }
}
