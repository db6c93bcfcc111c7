#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sim

extension ShardResults {
    /// Writes the file beside its destination and renames it into place (rename(2) replaces atomically): a
    /// reader sees the whole file or none, never a shard cut short.
    func write(to path: String) throws(ResultsError) {
        let text = lines.joined(separator: "\n") + "\n"
        let destination = URL(fileURLWithPath: path)
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            throw ResultsError(path: path, reason: "cannot write \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ResultsError(path: path, reason: "cannot rename \(temporary.path) into place: \(reason)")
        }
    }
}
