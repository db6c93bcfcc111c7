import Yams

/// A YAML node reduced to what manifests use, keeping whether a scalar is a string (quoted, or not an int,
/// bool, float or null) as Kubernetes' typed fields care about the difference.
indirect enum ManifestNode: Equatable {
    case scalar(String, kind: ScalarKind)
    case mapping([(key: String, value: ManifestNode)])
    case sequence([ManifestNode])

    enum ScalarKind: Equatable {
        case string, int, bool, float, null
    }

    static func == (lhs: ManifestNode, rhs: ManifestNode) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a, kindA), .scalar(b, kindB)): return a == b && kindA == kindB
        case let (.mapping(a), .mapping(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.sequence(a), .sequence(b)): return a == b
        default: return false
        }
    }

    init(_ node: Node) {
        switch node {
        case .scalar(let scalar):
            let kind: ScalarKind
            // The resolved tag: plain 12 is an int, "12" (quoted) a string.
            switch node.tag.rawValue {
            case Tag.Name.int.rawValue: kind = .int
            case Tag.Name.bool.rawValue: kind = .bool
            case Tag.Name.float.rawValue: kind = .float
            case Tag.Name.null.rawValue: kind = .null
            default: kind = .string
            }
            self = .scalar(scalar.string, kind: kind)
        case .mapping(let mapping):
            self = .mapping(mapping.map { (key: $0.key.string ?? "", value: ManifestNode($0.value)) })
        case .sequence(let sequence):
            self = .sequence(sequence.map(ManifestNode.init))
        case .alias:
            // Yams resolves aliases while composing; an unresolved one carries nothing the twin reads.
            self = .scalar("", kind: .null)
        }
    }

    subscript(key: String) -> ManifestNode? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// The node at a dotted path of mapping keys ("spec.template.spec").
    func at(_ path: String) -> ManifestNode? {
        var node: ManifestNode? = self
        for key in path.split(separator: ".") { node = node?[String(key)] }
        if case .scalar(_, .null) = node { return nil }
        return node
    }

    var scalarText: String? {
        if case .scalar(let text, let kind) = self, kind != .null { return text }
        return nil
    }

    var items: [ManifestNode]? {
        if case .sequence(let items) = self { return items }
        return nil
    }

    var pairs: [(key: String, value: ManifestNode)]? {
        if case .mapping(let pairs) = self { return pairs }
        return nil
    }
}
