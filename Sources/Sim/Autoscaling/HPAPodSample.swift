/// One pod of an HPA's scale target as the controller's pod lister and metrics-server see it at a sync.
public struct HPAPodSample: Sendable, Equatable, Hashable {
    public enum Phase: Sendable, Hashable {
        case pending, running, succeeded, failed
    }

    /// The pod's `Ready` condition.
    public struct ReadyCondition: Sendable, Equatable, Hashable {
        public var isReady: Bool
        public var lastTransitionTime: Int64

        public init(isReady: Bool, lastTransitionTime: Int64) {
            self.isReady = isReady
            self.lastTransitionTime = lastTransitionTime
        }
    }

    /// A metrics-server sample: usage over `window` ending at `timestamp`.
    public struct Usage: Sendable, Equatable, Hashable {
        public var milli: Int64
        public var timestamp: Int64
        public var window: Int64

        public init(milli: Int64, timestamp: Int64, window: Int64) {
            self.milli = milli
            self.timestamp = timestamp
            self.window = window
        }
    }

    public var phase: Phase
    /// A deletion timestamp is set (terminating): ignored entirely.
    public var isDeleting: Bool
    public var startTime: Int64?
    public var readyCondition: ReadyCondition?
    /// The resource request summed over the pod's containers; nil = a container without one (an error upstream).
    public var requestMilli: Int64?
    /// nil = metrics-server has no sample for the pod (a "missing" pod).
    public var usage: Usage?

    public init(
        phase: Phase = .running, isDeleting: Bool = false, startTime: Int64?, readyCondition: ReadyCondition?,
        requestMilli: Int64?, usage: Usage?
    ) {
        self.phase = phase
        self.isDeleting = isDeleting
        self.startTime = startTime
        self.readyCondition = readyCondition
        self.requestMilli = requestMilli
        self.usage = usage
    }

    /// A pod that has been running and Ready for a long time, with a fresh sample: the common case.
    public static func settled(requestMilli: Int64, usageMilli: Int64?, now: Int64, window: Int64 = 15_000) -> HPAPodSample {
        let longAgo = now - 3_600_000
        return HPAPodSample(
            startTime: longAgo, readyCondition: ReadyCondition(isReady: true, lastTransitionTime: longAgo),
            requestMilli: requestMilli,
            usage: usageMilli.map { Usage(milli: $0, timestamp: now, window: window) }
        )
    }
}
