/// The target of one HPA metric (`spec.metrics[].*.target`). Quantities are in milli-units, as the controller
/// reads them (`MilliValue()`).
public enum HPAMetricTarget: Sendable, Hashable {
    /// `type: Utilization`, `averageUtilization` in percent of the pods' requests (Resource metrics only).
    case utilization(percent: Int)
    /// `type: AverageValue`: the metric divided by the number of replicas should be this.
    case averageValue(milli: Int64)
    /// `type: Value`: the metric itself should be this.
    case value(milli: Int64)
}

/// One entry of `spec.metrics`. Only the two kinds the shipped manifests use are modelled.
public enum HPAMetricSpec: Sendable, Hashable {
    /// `type: Resource` (e.g. cpu) measured from the pods by metrics-server.
    case resource(name: String, target: HPAMetricTarget)
    /// `type: External` served by an external metrics API (KEDA's metrics server for a ScaledObject).
    case external(name: String, target: HPAMetricTarget)

    public var target: HPAMetricTarget {
        switch self {
        case .resource(_, let target), .external(_, let target): return target
        }
    }
}
