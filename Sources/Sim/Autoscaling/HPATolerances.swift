/// The dead band around a usage ratio of 1.0 inside which the HPA keeps the current count
/// (replica_calculator.go `Tolerances.isWithin`). Doubles, as upstream's float64: 1.0 - 0.1 and 1.0 + 0.1 round
/// to exactly the doubles nearest 0.9 and 1.1, so a ratio of 1.1 (say 11 / 10) is inside, anything above is not.
public struct HPATolerances: Sendable, Equatable, Hashable {
    public var scaleDown: Double
    public var scaleUp: Double

    public init(scaleDown: Double, scaleUp: Double) {
        self.scaleDown = scaleDown
        self.scaleUp = scaleUp
    }

    public func isWithin(_ usageRatio: Double) -> Bool {
        (1.0 - scaleDown) <= usageRatio && usageRatio <= (1.0 + scaleUp)
    }
}
