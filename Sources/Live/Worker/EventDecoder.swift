public import Core
import EventWire

/// Turns a Kafka value into Core's `Payload` (the wire format is EventWire's `EventValue`). Anything that is not
/// an event becomes `.undecodable` with the reason, so Core can dead-letter it instead of crashing or silently
/// dropping it. Range checks (the ledger's amount bounds) are the database's job: a value that decodes but cannot
/// be applied is a permanent database failure, which Core isolates and dead-letters.
public struct EventDecoder: Sendable {
    public init() {}

    public func payload(of bytes: [UInt8]) -> Payload {
        switch EventValue.decode(bytes) {
        case .success(let event): .event(event)
        case .failure(let failure): .undecodable(reason: failure.reason, raw: bytes)
        }
    }
}
