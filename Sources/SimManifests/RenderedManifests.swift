import Yams

/// The objects of a rendered multi-document YAML stream (kustomize output or a file).
public struct RenderedManifests {
    public let source: String
    let objects: [ManifestObject]

    public init(yaml: String, source: String) throws(ManifestError) {
        self.source = source
        var documents: [Node] = []
        do {
            var sequence = try Yams.compose_all(yaml: yaml)
            while let document = sequence.next() { documents.append(document) }
            if let error = sequence.error { throw error }
        } catch {
            throw .malformedYAML(source: source, detail: "\(error)")
        }
        var objects: [ManifestObject] = []
        for (index, document) in documents.enumerated() {
            let node = ManifestNode(document)
            if case .scalar(_, .null) = node { continue }   // an empty document between two `---`
            guard node.pairs != nil else {
                throw .malformedYAML(source: source, detail: "document \(index + 1) is not a mapping (a Kubernetes object)")
            }
            guard let kind = node["kind"]?.scalarText, let apiVersion = node["apiVersion"]?.scalarText else {
                throw .malformedYAML(source: source, detail: "document \(index + 1) has no kind or apiVersion")
            }
            guard let name = node.at("metadata.name")?.scalarText else {
                throw .malformedYAML(source: source, detail: "document \(index + 1) (\(kind)) has no metadata.name")
            }
            objects.append(ManifestObject(
                source: source, apiVersion: apiVersion, kind: kind, name: name,
                namespace: node.at("metadata.namespace")?.scalarText, node: node
            ))
        }
        self.objects = objects
    }

    func objects(kind: String, group: String) -> [ManifestObject] {
        objects.filter { $0.kind == kind && ($0.apiVersion == group || $0.apiVersion.hasPrefix(group + "/")) }
    }
}
