/// Why manifests could not be read into the twin's specs. Every case names the source and, where there is one,
/// the object and field, so a bad manifest change is found without reading code.
public enum ManifestError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case missing(path: String)
    /// kustomize failed (both the kubectl dispatcher and the versioned binary), with what it printed.
    case renderFailed(path: String, detail: String)
    /// The YAML itself does not parse.
    case malformedYAML(source: String, detail: String)
    /// A required object is absent from the rendered manifests.
    case objectNotFound(source: String, what: String)
    /// A field is missing or has the wrong type or value.
    case invalidField(source: String, object: String, field: String, problem: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "manifests not found: \(path) is neither a kustomize directory nor a rendered YAML file"
        case .renderFailed(let path, let detail):
            return "kubectl kustomize \(path) failed: \(detail)"
        case .malformedYAML(let source, let detail):
            return "\(source): not valid YAML: \(detail)"
        case .objectNotFound(let source, let what):
            return "\(source): \(what)"
        case .invalidField(let source, let object, let field, let problem):
            return "\(source): \(object): \(field) \(problem)"
        }
    }
}
