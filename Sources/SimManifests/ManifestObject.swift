/// One Kubernetes object of the rendered manifests, with typed accessors that fail with the object and field.
struct ManifestObject {
    let source: String
    let apiVersion: String
    let kind: String
    let name: String
    let namespace: String?
    let node: ManifestNode

    var label: String { "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)" }

    func invalid(_ field: String, _ problem: String) -> ManifestError {
        .invalidField(source: source, object: label, field: field, problem: problem)
    }

    /// An integer field; Kubernetes' typed fields refuse quoted numbers, so this does too.
    /// `field` names the value in errors when `path` is relative to a nested `node`.
    func int(_ path: String, in node: ManifestNode? = nil, field: String? = nil) throws(ManifestError) -> Int? {
        guard let value = (node ?? self.node).at(path) else { return nil }
        guard case .scalar(let text, .int) = value, let number = Int(text) else {
            throw invalid(field ?? path, "must be an integer, got \(Self.describe(value))")
        }
        return number
    }

    func requiredInt(_ path: String, in node: ManifestNode? = nil, field: String? = nil) throws(ManifestError) -> Int {
        guard let value = try int(path, in: node, field: field) else { throw invalid(field ?? path, "is missing") }
        return value
    }

    func string(_ path: String, in node: ManifestNode? = nil, field: String? = nil) throws(ManifestError) -> String? {
        guard let value = (node ?? self.node).at(path) else { return nil }
        guard case .scalar(let text, .string) = value else {
            throw invalid(field ?? path, "must be a string, got \(Self.describe(value))")
        }
        return text
    }

    func requiredString(_ path: String, in node: ManifestNode? = nil) throws(ManifestError) -> String {
        guard let value = try string(path, in: node), !value.isEmpty else { throw invalid(path, "is missing") }
        return value
    }

    /// A quantity field ("250m", 1, "256Mi"), which Kubernetes accepts as a string or a number.
    func quantityText(_ path: String, in node: ManifestNode? = nil, field: String? = nil) throws(ManifestError) -> String? {
        guard let value = (node ?? self.node).at(path) else { return nil }
        guard case .scalar(let text, let kind) = value, kind == .string || kind == .int || kind == .float else {
            throw invalid(field ?? path, "must be a quantity, got \(Self.describe(value))")
        }
        return text
    }

    static func describe(_ node: ManifestNode) -> String {
        switch node {
        case .scalar(let text, let kind):
            switch kind {
            case .string: return "the string \"\(text)\""
            case .null: return "null"
            default: return "\(kind) \(text)"
            }
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
