/// One rate limit of an HPA scaling direction (`spec.behavior.scale{Up,Down}.policies[]`).
public struct HPAScalingPolicy: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case pods = "Pods"
        case percent = "Percent"
    }

    public var kind: Kind
    public var value: Int
    public var periodSeconds: Int

    public init(_ kind: Kind, value: Int, periodSeconds: Int) {
        self.kind = kind
        self.value = value
        self.periodSeconds = periodSeconds
    }
}

/// `selectPolicy`: which policy wins when several allow different changes.
public enum HPASelectPolicy: String, Sendable, Hashable {
    case max = "Max"
    case min = "Min"
    case disabled = "Disabled"
}
