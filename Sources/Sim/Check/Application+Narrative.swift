import Core

/// How a duplicated event's applications are told, for the simulated world and for a live history alike: the
/// two differ only in how they name a writer and how they find the cause of one repeat.
extension [Application] {
    /// "(1) at T by W from P; (2) ...": every application in order, `writer` naming who made it.
    func narrated(writer: (Application) -> String) -> String {
        enumerated().map { index, application in
            "(\(index + 1)) at \(Timestamp(milliseconds: application.time)) by \(writer(application)) from \(PartitionOffset(partition: application.partition, offset: application.offset))"
        }.joined(separator: "; ")
    }

    /// " Cause of (2): ...." for every repeat, and the distinct cause tags joined with " + ". A repeat is paired
    /// with the last earlier application of the same record; none means another copy of the event, paired with
    /// the application just before it.
    func repeatCauses(_ cause: (_ earlier: Application, _ later: Application) -> (tag: String, reason: String)) -> (text: String, tag: String) {
        var tags: [String] = []
        var text = ""
        for index in 1..<Swift.max(1, count) {
            let current = self[index]
            let earlier = self[..<index].last { $0.partition == current.partition && $0.offset == current.offset }
            let (tag, reason) = cause(earlier ?? self[index - 1], current)
            if !tags.contains(tag) { tags.append(tag) }
            text += " Cause of (\(index + 1)): " + reason + "."
        }
        return (text, tags.joined(separator: " + "))
    }
}
