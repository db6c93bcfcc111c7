import LiveKafka

/// The task that polls the consumer and hands what it returns to the driver. It stops after a rebalance until
/// the driver opened the gate (the rebalance's consumer operations are queued ahead of the next poll).
enum PollLoop {
    static func run(consumer: KafkaConsumer, maxMessages: Int, timeout: Duration, gate: PollGate, mailbox: Mailbox) async {
        while !Task.isCancelled {
            await gate.pass()
            if Task.isCancelled { break }
            let events = await consumer.poll(maxMessages: maxMessages, timeout: timeout)
            guard !events.isEmpty else { continue }
            if events.contains(where: { if case .rebalance = $0 { true } else { false } }) { gate.close(.rebalance) }
            mailbox.post(.kafka(events))
        }
    }
}
