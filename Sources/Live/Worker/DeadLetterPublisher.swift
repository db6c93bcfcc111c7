import Core
import EventWire
import LiveKafka

/// Produces dead letters to `events.dlq` (docs/interfaces.md): key `event_id`, value the original payload
/// bytes, headers `dlq-reason`, `dlq-source-partition`, `dlq-source-offset`, `dlq-attempts`. The producer is
/// idempotent, and `send` returns only once the broker acknowledged, which is what Core waits for in `after`.
struct DeadLetterPublisher: Sendable {
    let producer: KafkaProducer
    let topic: String

    func publish(_ letter: DeadLetter, originalBytes: [UInt8]?) async -> PublishResult {
        let value: [UInt8]
        switch letter.payload {
        case .undecodable(_, let raw): value = originalBytes ?? raw
        case .event(let event): value = originalBytes ?? EventValue.encode(event)
        }
        let message = KafkaOutgoingMessage(
            topic: topic, key: letter.eventID.map { Array($0.description.utf8) }, value: value,
            headers: [
                KafkaHeader(name: "dlq-reason", string: letter.reason),
                KafkaHeader(name: "dlq-source-partition", string: String(letter.partition)),
                KafkaHeader(name: "dlq-source-offset", string: String(letter.offset)),
                KafkaHeader(name: "dlq-attempts", string: String(letter.attempts)),
            ]
        )
        do {
            _ = try await producer.send(message)
            return .published
        } catch {
            return .failed(error.description)
        }
    }
}
