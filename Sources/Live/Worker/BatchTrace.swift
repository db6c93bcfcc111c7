import Core
import Instrumentation
import LiveKafka
import LiveTracing
import Logging
import Tracing

/// The spans of one batch that holds sampled events (the api decided; the worker follows). The batch gets a
/// `ledger batch` span, a new trace with a link to each sampled message's producer span, and its transaction a
/// `ledger transaction` child; each sampled event gets a `ledger apply` span in its own trace (the child of the
/// api's `events produce` span, read from the message's `traceparent` header) linked back to the batch. One log
/// line per sampled event names its `trace_id`, the line a log view links to the trace from.
///
/// Built only when tracing is on and a batch holds a sampled event: unsampled batches cost no span.
struct BatchTrace: Sendable {
    struct Member: Sendable {
        var eventID: EventID
        var partition: PartitionID
        var offset: Offset
        /// The message's `traceparent` (and `tracestate`) headers.
        var context: [KafkaHeader]
    }

    let members: [Member]
    let batchSize: Int
    let logger: Logger

    func run(_ work: DatabaseWork, on store: LedgerStore) async -> (result: DatabaseResult, connected: Bool) {
        let batch = startSpan("ledger batch", context: .topLevel, ofKind: .consumer)
        batch.attributes["messaging.system"] = "kafka"
        batch.attributes["messaging.batch.message_count"] = batchSize
        batch.attributes["replicasafe.sampled_events"] = members.count
        var applies: [any Span] = []
        applies.reserveCapacity(members.count)
        for member in members {
            var parent = ServiceContext.topLevel
            InstrumentationSystem.instrument.extract(member.context, into: &parent, using: KafkaHeaderExtractor())
            var attributes = SpanAttributes()
            attributes["replicasafe.event_id"] = member.eventID.description
            attributes["messaging.destination.partition.id"] = "\(member.partition)"
            attributes["messaging.kafka.offset"] = Int(member.offset)
            batch.addLink(SpanLink(context: parent, attributes: attributes))
            let apply = startSpan("ledger apply", context: parent, ofKind: .consumer)
            apply.attributes = attributes
            apply.addLink(SpanLink(context: batch.context, attributes: [:]))
            applies.append(apply)
        }
        let transaction = startSpan("ledger transaction", context: batch.context, ofKind: .client)
        transaction.attributes["db.system"] = "postgresql"
        let outcome = await store.run(work)
        if case .failed(let failure) = outcome.result {
            let error = TransactionFailed(kind: failure.className, reason: failure.reason)
            for span in [transaction, batch] + applies {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: failure.className))
            }
        }
        transaction.end()
        for apply in applies { apply.end() }
        batch.end()
        log(outcome.result)
        return outcome
    }

    private func log(_ result: DatabaseResult) {
        let outcome = if case .committed = result { "committed" } else { "failed" }
        for member in members {
            guard let traceID = TraceParent.traceID(of: member.context) else { continue }
            logger.info("traced event \(outcome)", metadata: [
                "event_id": "\(member.eventID)", "trace_id": "\(traceID)", "partition": "\(member.partition)",
                "offset": "\(member.offset)",
            ])
        }
    }
}

/// A transaction's failure as a span error (the reason is in the worker's logs and metrics).
struct TransactionFailed: Error {
    var kind: String
    var reason: String
}

extension WorkerDriver {
    /// The trace of a batch when tracing is on and the batch holds at least one sampled event; otherwise nil.
    func batchTrace(of work: DatabaseWork) -> BatchTrace? {
        guard case .applyBatch(let batch) = work else { return nil }
        var members: [BatchTrace.Member] = []
        for entry in batch.entries {
            guard let context = raw.entry(partition: entry.partition, offset: entry.offset)?.traceContext, !context.isEmpty else { continue }
            members.append(.init(eventID: entry.event.id, partition: entry.partition, offset: entry.offset, context: context))
        }
        return members.isEmpty ? nil : BatchTrace(members: members, batchSize: batch.entries.count, logger: logger)
    }
}
