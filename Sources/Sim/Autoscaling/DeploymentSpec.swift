/// What the twin needs of an `apps/v1` Deployment: size, requests, shutdown budget, probes, spread, rollout.
public struct DeploymentSpec: Sendable, Equatable, Hashable {
    public var name: String
    /// `spec.replicas`; nil when the manifest leaves it to an autoscaler (the shipped api and worker do).
    public var replicas: Int?
    public var containerName: String
    public var cpuRequestMilli: Int64?
    public var cpuLimitMilli: Int64?
    public var memoryRequestBytes: Int64?
    /// `terminationGracePeriodSeconds` (Kubernetes default 30).
    public var terminationGracePeriodSeconds: Int
    /// `lifecycle.preStop.sleep.seconds` of the first container, if any.
    public var preStopSleepSeconds: Int?
    public var startupProbe: ProbeSpec?
    public var readinessProbe: ProbeSpec?
    public var livenessProbe: ProbeSpec?
    public var topologySpread: [TopologySpreadConstraint]
    /// `strategy.rollingUpdate` (Kubernetes defaults 25 % / 25 %).
    public var maxSurge: IntOrPercent
    public var maxUnavailable: IntOrPercent
    /// Literal `env` values of the first container (valueFrom entries are left out), in manifest order.
    public var environment: [EnvironmentVariable]

    public init(
        name: String, replicas: Int? = nil, containerName: String, cpuRequestMilli: Int64? = nil,
        cpuLimitMilli: Int64? = nil, memoryRequestBytes: Int64? = nil, terminationGracePeriodSeconds: Int = 30,
        preStopSleepSeconds: Int? = nil, startupProbe: ProbeSpec? = nil, readinessProbe: ProbeSpec? = nil,
        livenessProbe: ProbeSpec? = nil, topologySpread: [TopologySpreadConstraint] = [],
        maxSurge: IntOrPercent = .percent(25), maxUnavailable: IntOrPercent = .percent(25),
        environment: [EnvironmentVariable] = []
    ) {
        self.name = name
        self.replicas = replicas
        self.containerName = containerName
        self.cpuRequestMilli = cpuRequestMilli
        self.cpuLimitMilli = cpuLimitMilli
        self.memoryRequestBytes = memoryRequestBytes
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.preStopSleepSeconds = preStopSleepSeconds
        self.startupProbe = startupProbe
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.topologySpread = topologySpread
        self.maxSurge = maxSurge
        self.maxUnavailable = maxUnavailable
        self.environment = environment
    }

    public func environmentValue(_ name: String) -> String? {
        environment.first { $0.name == name }?.value
    }
}

public struct EnvironmentVariable: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A container probe with the Kubernetes defaults for unset fields.
public struct ProbeSpec: Sendable, Equatable, Hashable {
    public var initialDelaySeconds: Int
    public var periodSeconds: Int
    public var timeoutSeconds: Int
    public var successThreshold: Int
    public var failureThreshold: Int

    public init(
        initialDelaySeconds: Int = 0, periodSeconds: Int = 10, timeoutSeconds: Int = 1, successThreshold: Int = 1,
        failureThreshold: Int = 3
    ) {
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }
}

public struct TopologySpreadConstraint: Sendable, Equatable, Hashable {
    public enum WhenUnsatisfiable: String, Sendable, Hashable {
        case doNotSchedule = "DoNotSchedule"
        case scheduleAnyway = "ScheduleAnyway"
    }

    public var maxSkew: Int
    public var topologyKey: String
    public var whenUnsatisfiable: WhenUnsatisfiable

    public init(maxSkew: Int, topologyKey: String, whenUnsatisfiable: WhenUnsatisfiable) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.whenUnsatisfiable = whenUnsatisfiable
    }
}

/// An `IntOrString` of a rolling update: a count or a percentage of the desired replicas.
public enum IntOrPercent: Sendable, Equatable, Hashable {
    case count(Int)
    case percent(Int)

    /// Kubernetes resolves maxSurge rounding up and maxUnavailable rounding down
    /// (intstr.GetScaledValueFromIntOrPercent with roundUp true / false).
    public func resolved(replicas: Int, roundingUp: Bool) -> Int {
        switch self {
        case .count(let count): return count
        case .percent(let percent):
            let scaled = percent * replicas
            return roundingUp ? (scaled + 99) / 100 : scaled / 100
        }
    }
}
