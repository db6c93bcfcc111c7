import ArgumentParser
import Core
import Foundation
import LiveWorker

/// `ledger-ceiling --batches FILE --database-url URL`: the rate at which PostgreSQL alone takes the `after`
/// worker's batch writes (`LedgerCeiling`). FILE has one tab-separated line per event, in batch order:
/// `batch event_id account_id amount_cents partition offset` (what `make bench-worker` exports from an `after`
/// run's ledger). The last line of stdout is one JSON object.
@main
struct LedgerCeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-ceiling",
        abstract: "Replay after-mode batches through the worker's LedgerStore with no Kafka in the loop; print events/s.")

    @Option(help: "Tab-separated events, one per line, grouped by batch number.") var batches: String
    @Option(help: "PostgreSQL URL of an empty database (the schema is applied first).") var databaseURL: String
    @Option(help: "consumer_offsets.consumer_group of the stored offsets.") var groupID = "ledger-ceiling"
    @Option(help: "consumer_offsets.topic of the stored offsets.") var topic = "events"
    @Option(help: "worker id written to ledger.applied_by.") var workerID = "ledger-ceiling"

    func run() async throws {
        let writes = try Self.read(try String(contentsOfFile: batches, encoding: .utf8), workerID: workerID)
        let report = try await LedgerCeiling.run(url: databaseURL, groupID: groupID, topic: topic, batches: writes)
        let rate = report.seconds > 0 ? Double(report.events) / report.seconds : 0
        print("ceiling: \(report.events) events in \(report.batches) batches, \(String(format: "%.3f", report.seconds)) s, \(Int(rate)) events/s")
        print("{\"bench\": \"ledger_ceiling\", \"events\": \(report.events), \"batches\": \(report.batches), "
            + "\"seconds\": \(String(format: "%.4f", report.seconds)), \"events_per_s\": \(Int(rate.rounded())), "
            + "\"max_batch_ms\": \(String(format: "%.2f", report.maxBatchSeconds * 1000)), \"backend_pid\": \(report.backendPID)}")
    }

    struct BadLine: Error, CustomStringConvertible {
        var number: Int
        var line: Substring
        var description: String { "line \(number): expected batch, event_id, account_id, amount_cents, partition, offset: \(line)" }
    }

    /// Groups consecutive lines with the same batch number into one `after` write; each write stores, per
    /// partition, the offset after its last event, as Core's batches do.
    static func read(_ text: String, workerID: String) throws -> [BatchWrite] {
        var writes: [BatchWrite] = []
        var current: (batch: Substring, entries: [BatchEntry])?
        func close() {
            guard let entries = current?.entries, !entries.isEmpty else { return }
            var next: [PartitionID: Offset] = [:]
            for entry in entries { next[entry.partition] = max(next[entry.partition] ?? 0, entry.offset + 1) }
            let stored = next.keys.sorted().map { PartitionOffset(partition: $0, offset: next[$0]!) }
            writes.append(BatchWrite(entries: entries, deduplicate: true, storeOffsets: stored, workerID: workerID))
        }
        for (index, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 6, let id = eventID(fields[1]), let amount = Int64(fields[3]),
                let partition = PartitionID(fields[4]), let offset = Offset(fields[5])
            else { throw BadLine(number: index + 1, line: line) }
            if current?.batch != fields[0] {
                close()
                current = (fields[0], [])
            }
            let event = Event(id: id, account: AccountID(String(fields[2])), amountCents: amount, occurredAt: Timestamp(milliseconds: 0))
            current!.entries.append(BatchEntry(partition: partition, offset: offset, event: event, balance: .increment))
        }
        close()
        return writes
    }

    /// The canonical `8-4-4-4-12` text of a UUID.
    static func eventID(_ text: Substring) -> EventID? {
        let hex = text.filter { $0 != "-" }
        guard text.count == 36, hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16),
            let low = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        return EventID(high: high, low: low)
    }
}
