/// A subset of a generated scenario, expressible on a command line, so a shrunk case replays from its seed:
/// `--keep-events 0-12,57 --keep-faults 2 --keep-scaling 0,1`.
public struct ScenarioSelection: Hashable, Sendable {
    /// Indices into the generated events, faults and scaling steps to keep; nil keeps all.
    public var events: IndexSet?
    public var faults: IndexSet?
    public var scaling: IndexSet?

    public init(events: IndexSet? = nil, faults: IndexSet? = nil, scaling: IndexSet? = nil) {
        self.events = events
        self.faults = faults
        self.scaling = scaling
    }

    public var isEmpty: Bool { events == nil && faults == nil && scaling == nil }

    public func apply(to scenario: Scenario) -> Scenario {
        var selected = scenario
        if let events { selected.events = events.indices.filter { $0 < scenario.events.count }.map { scenario.events[$0] } }
        if let faults { selected.faults = faults.indices.filter { $0 < scenario.faults.count }.map { scenario.faults[$0] } }
        if let scaling {
            selected.scaling = scaling.indices.filter { $0 < scenario.scaling.count }.map { scenario.scaling[$0] }
        }
        return selected
    }

    /// The command-line flags that select this subset.
    public var flags: String {
        var text = ""
        if let events { text += " --keep-events \(events.description)" }
        if let faults { text += " --keep-faults \(faults.description)" }
        if let scaling { text += " --keep-scaling \(scaling.description)" }
        return text
    }
}

/// A sorted set of indices with a compact text form (`0-12,57,99-101`; `none` for the empty set).
public struct IndexSet: Hashable, Sendable, CustomStringConvertible {
    public private(set) var indices: [Int]

    public init<S: Sequence>(_ indices: S) where S.Element == Int {
        self.indices = Array(Set(indices)).sorted()
    }

    public init?(parsing text: String) {
        guard text != "none" else {
            self.init([])
            return
        }
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), low >= 0 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, high - low < 10_000_000 else { return nil }
            values += Array(low...high)
        }
        self.init(values)
    }

    public var count: Int { indices.count }

    public var description: String {
        guard !indices.isEmpty else { return "none" }
        var parts: [String] = []
        var start = indices[0]
        var previous = start
        for index in indices.dropFirst() + [Int.min] {
            if index == previous + 1 {
                previous = index
                continue
            }
            parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            start = index
            previous = index
        }
        return parts.joined(separator: ",")
    }
}
