/// The api Deployment under the twin's offered load: its HPA (CPU utilization, from the manifests) run by the
/// exact HPA model every sync, with pods that take a start-up delay to become ready. The api is stateless, so
/// this needs no Core: each ready pod's CPU is its share of the requests times the CPU one request costs.
public struct ApiTwin: Sendable {
    public struct Sample: Hashable, Sendable {
        public var time: Int64
        public var replicas: Int
        public var readyReplicas: Int
        /// Average CPU utilization of the ready pods, percent of their request.
        public var utilizationPercent: Int64
        public var offeredRequestsPerSecond: Int64
        /// CPU each ready pod would need for its share of the requests, uncapped (millicores; the whole demand
        /// when no pod is ready).
        public var demandMilliPerPod: Int64
    }

    public var hpa: HPASpec
    public var deployment: DeploymentSpec
    /// CPU time one `POST /v1/events` costs, in microseconds (the live benchmark measures it: make bench-live).
    public var cpuMicrosPerRequest: Int64
    public var startDelay: ClosedRange<Int64> = 10_000...20_000

    public init(hpa: HPASpec, deployment: DeploymentSpec, cpuMicrosPerRequest: Int64) {
        self.hpa = hpa
        self.deployment = deployment
        self.cpuMicrosPerRequest = cpuMicrosPerRequest
    }

    public func run(profile: TrafficProfile, seed: UInt64) -> [Sample] {
        var random = Xoshiro256(seed: seed ^ 0x6170_6974_7769_6E)
        var controller = HorizontalPodAutoscaler(spec: hpa, createdAt: 0)
        let request = deployment.cpuRequestMilli ?? 250
        let limit = deployment.cpuLimitMilli ?? Int64.max
        var replicas = max(hpa.minReplicas, deployment.replicas ?? hpa.minReplicas)
        // Ready times of the pods, oldest first; scale-down removes the newest.
        var readyAt: [Int64] = Array(repeating: 0, count: replicas)
        var samples: [Sample] = []
        var now: Int64 = 0
        while now <= profile.duration {
            let ready = readyAt.filter { $0 <= now }.count
            let offered = profile.rate(at: now)
            let demand = offered * cpuMicrosPerRequest / 1_000 / Int64(max(1, ready))
            let perPod = ready > 0 ? min(limit, demand) : 0
            let pods = readyAt.map { at -> HPAPodSample in
                at <= now
                    ? HPAPodSample.settled(requestMilli: request, usageMilli: perPod, now: now)
                    : HPAPodSample(startTime: at - 5_000, readyCondition: .init(isReady: false, lastTransitionTime: at - 5_000),
                                   requestMilli: request, usage: nil)
            }
            if controller.isDue(now: now) {
                let target = HPAScaleTarget(specReplicas: replicas, statusReplicas: readyAt.count, readyReplicas: ready)
                let decision = controller.reconcile(now: now, target: target, readings: [.pods(pods)])
                if decision.desiredReplicas > replicas {
                    for _ in replicas..<decision.desiredReplicas { readyAt.append(now + random.int(startDelay)) }
                } else if decision.desiredReplicas < replicas {
                    readyAt.removeLast(replicas - decision.desiredReplicas)
                }
                replicas = decision.desiredReplicas
                samples.append(Sample(time: now, replicas: replicas, readyReplicas: ready,
                                      utilizationPercent: perPod * 100 / max(1, request), offeredRequestsPerSecond: offered,
                                      demandMilliPerPod: demand))
            }
            now = controller.nextSyncAt
        }
        return samples
    }
}

extension ApiTwin {
    /// What a run of the api costs and how well it served: time saturated (the ready pods' CPU demand above
    /// their limit, or no pod ready while requests arrive: requests queue and the latency SLO breaks), pod time,
    /// and scaling direction changes.
    public struct Outcome: Hashable, Sendable {
        public var overloadSeconds: Int64
        public var podSeconds: Int64
        public var directionChanges: Int
        public var worstWindowDirectionChanges: Int
        public var maxReplicas: Int
    }

    public func outcome(_ samples: [Sample], thrashWindowSeconds: Int64 = 600) -> Outcome {
        let limit = deployment.cpuLimitMilli ?? Int64.max
        let interval = HPAControllerConfig().syncPeriod / 1_000
        let overloaded = samples.filter { $0.offeredRequestsPerSecond > 0 && ($0.readyReplicas == 0 || $0.demandMilliPerPod > limit) }
        let changes = TwinReport.directionChanges(samples.map { ($0.time, $0.replicas) })
        return Outcome(
            overloadSeconds: Int64(overloaded.count) * interval,
            podSeconds: samples.reduce(0) { $0 + Int64($1.replicas) } * interval,
            directionChanges: changes.count,
            worstWindowDirectionChanges: TwinReport.worstWindow(changes, window: thrashWindowSeconds * 1_000),
            maxReplicas: samples.map(\.replicas).max() ?? 0)
    }
}
