/// A KEDA trigger's `metadata`, read as KEDA reads it: a `map[string]string` whose values are parsed with Go's
/// strconv on use. Errors name the object and the metadata key.
struct TriggerMetadata {
    let object: ManifestObject
    /// The trigger's path in the object, e.g. `spec.triggers[0]`.
    let field: String
    private let values: [String: String]

    /// Unquoted numbers or booleans are refused: the CRD types the map's values as strings.
    init(_ trigger: ManifestNode, of object: ManifestObject, field: String) throws(ManifestError) {
        guard let metadata = trigger["metadata"], let pairs = metadata.pairs else {
            throw object.invalid(field + ".metadata", "is missing")
        }
        var values: [String: String] = [:]
        for pair in pairs {
            guard case .scalar(let text, .string) = pair.value else {
                throw object.invalid("\(field).metadata.\(pair.key)", "must be a string (quote it), got \(ManifestObject.describe(pair.value))")
            }
            values[pair.key] = text
        }
        self.object = object
        self.field = field
        self.values = values
    }

    func invalid(_ key: String, _ problem: String) -> ManifestError {
        object.invalid("\(field).metadata.\(key)", problem)
    }

    func has(_ key: String) -> Bool { values[key] != nil }

    func required(_ key: String) throws(ManifestError) -> String {
        guard let value = values[key], !value.isEmpty else { throw invalid(key, "is missing") }
        return value
    }

    func flag(_ key: String) throws(ManifestError) -> Bool {
        guard let text = values[key] else { return false }
        guard let value = GoValueParsing.bool(text) else { throw invalid(key, "must be a boolean (true/false), got \"\(text)\"") }
        return value
    }

    func integer(_ key: String, default fallback: Int64) throws(ManifestError) -> Int64 {
        guard let text = values[key] else { return fallback }
        guard let value = GoValueParsing.int64(text) else { throw invalid(key, "must be an integer, got \"\(text)\"") }
        return value
    }

    /// A value from a fixed set; `allowed` words the set for the error.
    func choice<Value: RawRepresentable<String>>(_ key: String, default fallback: Value, allowed: String) throws(ManifestError) -> Value {
        guard let text = values[key] else { return fallback }
        guard let value = Value(rawValue: text) else { throw invalid(key, "must be \(allowed), got \"\(text)\"") }
        return value
    }

    /// A partition list like `1,2,10-20`; nil when absent or blank (every partition).
    func partitionList(_ key: String) throws(ManifestError) -> [Int]? {
        guard let text = values[key], !text.trimmingCharactersOfSpace.isEmpty else { return nil }
        guard let parsed = GoValueParsing.partitionList(text) else { throw invalid(key, "is not a list like 1,2,10-20: \"\(text)\"") }
        return parsed
    }
}
