/// A bounded grid of settings for one autoscaler spec (`Spec`: a ScaledObject or an HPA): one dimension per
/// searched field, each a list of values in order (so that a neighbour is one step along one dimension). A
/// point of the grid is one value index per dimension; applying it to the shipped spec gives the candidate.
public struct TuningSpace<Spec: Sendable>: Sendable {
    public var dimensions: [TuningDimension<Spec>]
    /// The point whose values are the shipped spec's (each dimension holds its shipped value).
    public var shipped: [Int]

    public init(shippedSpec: Spec, dimensions: [TuningDimension<Spec>]) {
        self.dimensions = dimensions
        shipped = dimensions.map { $0.shippedIndex(shippedSpec) }
    }

    public var size: Int { dimensions.reduce(1) { $0 * $1.values.count } }

    /// The spec with every dimension set to the point's value.
    public func spec(_ point: [Int], from shippedSpec: Spec) -> Spec {
        var spec = shippedSpec
        for (dimension, index) in zip(dimensions, point) { dimension.values[index].apply(&spec) }
        return spec
    }

    /// `name=value` per dimension, for reports.
    public func labels(_ point: [Int]) -> [(String, String)] {
        zip(dimensions, point).map { ($0.name, $0.values[$1].label) }
    }

    public func random(using random: inout Xoshiro256) -> [Int] {
        dimensions.map { random.int(0...($0.values.count - 1)) }
    }

    /// Every point one step away along one dimension.
    public func neighbours(of point: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        for (index, dimension) in dimensions.enumerated() {
            for step in [-1, 1] {
                let value = point[index] + step
                guard dimension.values.indices.contains(value) else { continue }
                var neighbour = point
                neighbour[index] = value
                result.append(neighbour)
            }
        }
        return result
    }

    /// Every point of the grid, in order (for small spaces searched exhaustively).
    public var allPoints: [[Int]] {
        dimensions.reduce([[]]) { points, dimension in
            points.flatMap { point in dimension.values.indices.map { point + [$0] } }
        }
    }
}

/// One searched field: its values in order, each with a label and how it sets the field.
public struct TuningDimension<Spec: Sendable>: Sendable {
    public struct Value: Sendable {
        public var label: String
        let apply: @Sendable (inout Spec) -> Void
        let matches: @Sendable (Spec) -> Bool
    }

    public var name: String
    public var values: [Value]

    /// `values` in the order neighbours should step through; the shipped value is added where `less` puts it
    /// when it is not among them, so the shipped spec is always a point of the grid.
    public static func make<V: Equatable & Sendable>(
        _ name: String, shipped: Spec, values: [V], read: @escaping @Sendable (Spec) -> V,
        write: @escaping @Sendable (inout Spec, V) -> Void, label: @escaping @Sendable (V) -> String,
        less: ((V, V) -> Bool)? = nil
    ) -> TuningDimension {
        var ordered = values
        let current = read(shipped)
        if !ordered.contains(current) {
            if let less, let at = ordered.firstIndex(where: { less(current, $0) }) {
                ordered.insert(current, at: at)
            } else {
                ordered.append(current)
            }
        }
        return TuningDimension(name: name, values: ordered.map { value in
            Value(label: label(value), apply: { write(&$0, value) }, matches: { read($0) == value })
        })
    }

    func shippedIndex(_ spec: Spec) -> Int {
        values.firstIndex { $0.matches(spec) } ?? 0
    }
}
