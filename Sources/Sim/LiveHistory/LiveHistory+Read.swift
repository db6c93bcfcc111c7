import Core

extension LiveHistory {
    /// Reads the producer's acknowledged events (`{"event_id","account_id","amount_cents"}` per line, `poison`
    /// optional).
    public static func readProduced(_ text: String, file: String) throws(LiveHistoryError) -> [ProducedEvent] {
        var events: [ProducedEvent] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let error = { (reason: String) in LiveHistoryError(file: file, line: number + 1, reason: reason) }
            guard case .success(let value) = JSONValue.parse(line) else { throw error("not a JSON object") }
            guard let id = value["event_id"]?.stringValue, let account = value["account_id"]?.stringValue,
                  let amount = value["amount_cents"]?.intValue
            else { throw error("needs event_id, account_id and amount_cents") }
            events.append(ProducedEvent(id: id, account: account, amountCents: amount, poison: value["poison"] == .bool(true)))
        }
        return events
    }

    /// Reads the workers' history files (`(name, text)` each) against the produced events.
    public static func read(produced: [ProducedEvent], files: [(name: String, text: String)]) throws(LiveHistoryError) -> LiveHistory {
        var reader = LiveHistoryReader(produced: produced)
        for file in files { try reader.add(file.text, file: file.name) }
        return try reader.finish()
    }
}

/// Builds a `LiveHistory` line by line: pods, members and events named once each, every fact kept with its
/// Unix time until `finish` knows the origin and orders the transactions by when they ended.
struct LiveHistoryReader {
    struct Line {
        var value: JSONValue
        var pod: Int32
        var time: Int64
        var file: String
        var number: Int
    }

    var result = LiveHistory()
    var lines: [Line] = []
    var eventIndex: [String: Int32] = [:]
    var memberIndex: [String: Int32] = [:]
    var incarnations: [String: Int] = [:]
    var modes: Set<String> = []

    init(produced: [LiveHistory.ProducedEvent]) {
        result.produced = produced
        for planned in produced { _ = event(planned.id) }
    }

    mutating func event(_ id: String) -> Int32 {
        if let index = eventIndex[id] { return index }
        let index = Int32(result.eventIDs.count)
        result.eventIDs.append(id)
        eventIndex[id] = index
        return index
    }

    mutating func member(_ value: JSONValue?) -> Int32 {
        guard let id = value?.stringValue else { return -1 }
        if let index = memberIndex[id] { return index }
        let index = Int32(result.members.count)
        result.members.append(id)
        memberIndex[id] = index
        return index
    }

    mutating func add(_ text: String, file: String) throws(LiveHistoryError) {
        var pod: Int32 = -1
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !raw.isEmpty {
            let fail = { (reason: String) in LiveHistoryError(file: file, line: number + 1, reason: reason) }
            guard case .success(let value) = JSONValue.parse(raw), let kind = value["k"]?.stringValue,
                  let time = value["t"]?.intValue, let name = value["pod"]?.stringValue
            else { throw fail("not a history line (needs k, pod, t)") }
            if kind == "start" {
                let count = (incarnations[name] ?? 0) + 1
                incarnations[name] = count
                pod = Int32(result.pods.count)
                result.pods.append(count == 1 ? name : "\(name)#\(count)")
                result.exited.append(false)
                result.lifetimes.append((time, time))
                modes.insert(value["mode"]?.stringValue ?? "?")
                result.settlementPeriod = value["settlement_period_ms"]?.intValue ?? result.settlementPeriod
                result.sessionTimeout = value["session_timeout_ms"]?.intValue ?? result.sessionTimeout
                result.gracePeriod = value["grace_ms"]?.intValue ?? result.gracePeriod
                result.maxAttempts = Int(value["max_attempts"]?.intValue ?? Int64(result.maxAttempts))
            }
            guard pod >= 0 else { throw fail("a \(kind) line before the file's first start line") }
            guard result.pods[Int(pod)].hasPrefix(name) else { throw fail("pod \(name) in the history of \(result.pods[Int(pod)])") }
            result.lifetimes[Int(pod)].end = max(result.lifetimes[Int(pod)].end, time)
            lines.append(Line(value: value, pod: pod, time: time, file: file, number: number + 1))
        }
    }

    mutating func finish() throws(LiveHistoryError) -> LiveHistory {
        guard modes.count <= 1 else {
            throw LiveHistoryError(file: "-", line: 0, reason: "the workers ran in different modes: \(modes.sorted())")
        }
        result.mode = modes.first.flatMap(ProcessingMode.init(rawValue:)) ?? .after
        result.lines = lines.count
        result.origin = lines.map(\.time).min() ?? 0
        let origin = result.origin
        result.lifetimes = result.lifetimes.map { ($0.start - origin, $0.end - origin) }
        // Facts in the order they happened (a stable sort: a worker's own lines keep their order).
        let ordered = lines.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var sigterms: [Int32: Int64] = [:]
        for line in ordered {
            try take(line, at: line.time - origin, sigterms: &sigterms)
        }
        for (pod, sigterm) in sigterms.sorted(by: { $0.key < $1.key }) {
            // SIGTERMed and never wrote its exit line: killed before it finished.
            result.history.shutdowns.append(History.Shutdown(pod: pod, sigterm: sigterm, ended: result.lifetimes[Int(pod)].end,
                                                             exited: false, leaveRequested: false, openTransactions: 0))
        }
        result.history.shutdowns.sort { $0.ended < $1.ended }
        return result
    }
}
