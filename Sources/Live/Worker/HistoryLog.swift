import Core
import EventWire
import Foundation

/// The worker's history (`HISTORY_FILE`): one JSON object per line for every fact the simulator's checkers read
/// (`sim check-history`, docs/live-history.md): transactions with the records they carried, Kafka offset
/// commits, assignments and revocations, settlements, dead letters, failure counts, SIGTERM and exit.
///
/// Lines collect in memory and go to the file in one `write` after each input the driver handles, never with
/// an fsync: a SIGKILL loses at most the input being handled, and the kernel keeps what was written. The file is
/// opened for appending, so a replacement pod with the same name adds to it after its own `start` line.
/// Owned by the driver's task, like the rest of its state.
final class HistoryLog {
    private let handle: FileHandle
    private let pod: String
    private var buffer: [UInt8] = []

    init(path: String, pod: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        self.pod = pod
        buffer.reserveCapacity(64 * 1024)
    }

    /// Writes what has collected; called once per handled input and before the process exits.
    func flush() {
        guard !buffer.isEmpty else { return }
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// One line: `{"k":kind,"pod":..,"t":..` then `fields` (already JSON, each `"key":value`).
    func append(_ kind: String, at time: Timestamp, _ fields: String...) {
        buffer += #"{"k":"#.utf8
        JSONText.appendQuoted(kind, to: &buffer)
        buffer += #","pod":"#.utf8
        JSONText.appendQuoted(pod, to: &buffer)
        buffer += #","t":\#(time.milliseconds)"#.utf8
        for field in fields {
            buffer.append(UInt8(ascii: ","))
            buffer += field.utf8
        }
        buffer += "}\n".utf8
    }

    static func field(_ key: String, _ value: String) -> String { "\"\(key)\":" + JSONText.quoted(value) }
    static func field(_ key: String, _ value: some BinaryInteger) -> String { "\"\(key)\":\(value)" }
    static func field(_ key: String, _ value: Bool) -> String { "\"\(key)\":\(value)" }
    static func field(_ key: String, _ value: String?) -> String { value.map { field(key, $0) } ?? "\"\(key)\":null" }

    static func field(_ key: String, _ values: [some BinaryInteger]) -> String {
        "\"\(key)\":[" + values.map(String.init).joined(separator: ",") + "]"
    }

    static func field(_ key: String, _ offsets: [PartitionOffset]) -> String {
        "\"\(key)\":[" + offsets.map { "[\($0.partition),\($0.offset)]" }.joined(separator: ",") + "]"
    }

    /// A settlement run's rows: `[period, total in cents, batches marked, [event id of each counted ledger row]]`.
    static func field(_ key: String, _ settled: [SettledPeriod]) -> String {
        "\"\(key)\":[" + settled.map { row in
            "[\(row.period),\(row.totalCents),\(row.batches),[" + row.events.map { "\"\($0)\"" }.joined(separator: ",") + "]]"
        }.joined(separator: ",") + "]"
    }

    /// A batch's records: `[event id, partition, offset, amount in cents, account]` each.
    static func field(_ key: String, _ entries: [BatchEntry]) -> String {
        var out = Array("\"\(key)\":[".utf8)
        out.reserveCapacity(entries.count * 80)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += "[\"\(entry.event.id)\",\(entry.partition),\(entry.offset),\(entry.event.amountCents),".utf8
            JSONText.appendQuoted(entry.event.account.rawValue, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
