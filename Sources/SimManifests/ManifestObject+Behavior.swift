import Sim

/// `behavior` of an autoscaling/v2 HPA (also a ScaledObject's advanced.horizontalPodAutoscalerConfig.behavior),
/// checked as the API server validates it (validateScalingRules).
extension ManifestObject {
    func behavior(at path: String) throws(ManifestError) -> HPABehavior? {
        guard let node = node.at(path) else { return nil }
        guard node.pairs != nil else { throw invalid(path, "must be a mapping") }
        return HPABehavior(
            scaleUp: try scalingRules(at: path + ".scaleUp"),
            scaleDown: try scalingRules(at: path + ".scaleDown")
        )
    }

    private func scalingRules(at path: String) throws(ManifestError) -> HPAScalingRules? {
        guard node.at(path) != nil else { return nil }
        var rules = HPAScalingRules()
        if let window = try int(path + ".stabilizationWindowSeconds") {
            guard (0...3_600).contains(window) else {
                throw invalid(path + ".stabilizationWindowSeconds", "must be between 0 and 3600, got \(window)")
            }
            rules.stabilizationWindowSeconds = window
        }
        if let select = try string(path + ".selectPolicy") {
            guard let policy = HPASelectPolicy(rawValue: select) else {
                throw invalid(path + ".selectPolicy", "must be Max, Min or Disabled, got \"\(select)\"")
            }
            rules.selectPolicy = policy
        }
        if let tolerance = try quantityText(path + ".tolerance") {
            guard let milli = GoValueParsing.milliQuantity(tolerance) else {
                throw invalid(path + ".tolerance", "is not a quantity: \"\(tolerance)\"")
            }
            rules.tolerance = Double(milli) / 1_000
        }
        if let list = node.at(path + ".policies") {
            guard let items = list.items, !items.isEmpty else {
                throw invalid(path + ".policies", "must specify at least one Policy")
            }
            var policies: [HPAScalingPolicy] = []
            for (index, item) in items.enumerated() {
                let field = "\(path).policies[\(index)]"
                let typeName = try requiredStringField(field + ".type", in: item, key: "type")
                guard let kind = HPAScalingPolicy.Kind(rawValue: typeName) else {
                    throw invalid(field + ".type", "must be Pods or Percent, got \"\(typeName)\"")
                }
                let value = try requiredInt("value", in: item, field: field + ".value")
                guard value > 0 else { throw invalid(field + ".value", "must be greater than zero, got \(value)") }
                let period = try requiredInt("periodSeconds", in: item, field: field + ".periodSeconds")
                guard (1...1_800).contains(period) else {
                    throw invalid(field + ".periodSeconds", "must be between 1 and 1800, got \(period)")
                }
                policies.append(HPAScalingPolicy(kind, value: value, periodSeconds: period))
            }
            rules.policies = policies
        }
        return rules
    }

    private func requiredStringField(_ field: String, in item: ManifestNode, key: String) throws(ManifestError) -> String {
        guard let value = try string(key, in: item, field: field) else { throw invalid(field, "is missing") }
        return value
    }
}
