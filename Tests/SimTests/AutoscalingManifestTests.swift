import Foundation
import Sim
@testable import SimManifests
import Testing

/// The manifest reader of `sim` against the real apps/ overlays (rendered with kubectl kustomize, as
/// `--from-manifests apps/overlays/after` does) and against broken copies.
@Suite("Autoscaling manifests", .serialized)
struct AutoscalingManifestTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let afterOverlay = repository.appendingPathComponent("apps/overlays/after").path

    static func rendered() throws -> String {
        try KustomizeRenderer.render(directory: afterOverlay)
    }

    /// A modified copy of the rendered `after` overlay, as a file.
    static func copy(_ edit: (String) -> String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("autoscaling-\(UUID().uuidString).yaml").path
        let original = try rendered()
        let edited = edit(original)
        #expect(edited != original, "the edit must change the manifests")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTheShippedAfterOverlay() throws {
        let spec = try ManifestReader.load(Self.afterOverlay)
        let scaled = spec.workerScaledObject
        #expect(scaled.name == "worker")
        #expect(scaled.scaleTargetName == "worker")
        #expect(scaled.minReplicaCount == 1)
        #expect(scaled.maxReplicaCount == 12)
        #expect(scaled.pollingIntervalSeconds == 15)
        #expect(scaled.cooldownPeriodSeconds == 300)
        #expect(scaled.idleReplicaCount == nil)
        #expect(scaled.trigger.topic == "events")
        #expect(scaled.trigger.consumerGroup == "ledger-worker")
        #expect(scaled.trigger.bootstrapServers == ["events-kafka-bootstrap.kafka.svc:9093"])
        #expect(scaled.trigger.lagThreshold == 1_000)
        #expect(scaled.trigger.activationLagThreshold == 0)
        #expect(scaled.trigger.offsetResetPolicy == .earliest)
        #expect(!scaled.trigger.allowIdleConsumers)
        #expect(scaled.behavior == HPABehavior(
            scaleUp: HPAScalingRules(stabilizationWindowSeconds: 30, selectPolicy: .max, policies: [HPAScalingPolicy(.pods, value: 4, periodSeconds: 60)]),
            scaleDown: HPAScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min, policies: [HPAScalingPolicy(.pods, value: 1, periodSeconds: 120)])))

        let workerHPA = spec.workerHPA
        #expect(workerHPA.name == "keda-hpa-worker")
        #expect(workerHPA.minReplicas == 1)
        #expect(workerHPA.maxReplicas == 12)
        #expect(workerHPA.metrics == [.external(name: "s0-kafka-events", target: .averageValue(milli: 1_000_000))])

        let apiHPA = spec.apiHPA
        #expect(apiHPA.name == "api")
        #expect(apiHPA.scaleTargetName == "api")
        #expect(apiHPA.minReplicas == 2)
        #expect(apiHPA.maxReplicas == 10)
        #expect(apiHPA.metrics == [.resource(name: "cpu", target: .utilization(percent: 70))])
        #expect(apiHPA.behavior?.scaleUp?.policies == [HPAScalingPolicy(.percent, value: 100, periodSeconds: 30),
                                                        HPAScalingPolicy(.pods, value: 2, periodSeconds: 30)])
        #expect(apiHPA.behavior?.scaleDown == HPAScalingRules(stabilizationWindowSeconds: 300, selectPolicy: .min,
                                                               policies: [HPAScalingPolicy(.pods, value: 1, periodSeconds: 60)]))

        #expect(spec.worker.name == "worker")
        #expect(spec.worker.replicas == nil)
        #expect(spec.worker.cpuRequestMilli == 250)
        #expect(spec.worker.cpuLimitMilli == 1_000)
        #expect(spec.worker.memoryRequestBytes == 268_435_456)   // 256Mi
        #expect(spec.worker.terminationGracePeriodSeconds == 45)
        #expect(spec.worker.preStopSleepSeconds == 5)
        #expect(spec.worker.readinessProbe == ProbeSpec(periodSeconds: 5, failureThreshold: 2))
        #expect(spec.worker.startupProbe == ProbeSpec(periodSeconds: 2, failureThreshold: 30))
        #expect(spec.worker.maxSurge == .count(0))
        #expect(spec.worker.maxUnavailable == .count(1))
        #expect(spec.worker.topologySpread == [
            TopologySpreadConstraint(maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: .doNotSchedule),
            TopologySpreadConstraint(maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: .scheduleAnyway)])
        #expect(spec.worker.environmentValue("WORKER_MODE") == "after")
        #expect(spec.worker.environmentValue("SHUTDOWN_GRACE_SECONDS") == "20")

        #expect(spec.api.name == "api")
        #expect(spec.api.cpuRequestMilli == 250)
        #expect(spec.api.terminationGracePeriodSeconds == 40)
        #expect(spec.api.preStopSleepSeconds == 25)
        #expect(spec.api.maxSurge == .count(1))
        #expect(spec.api.maxUnavailable == .count(0))

        #expect(spec.topic == KafkaTopicSpec(name: "events", topicName: "events", partitions: 12, replicas: 3))
        #expect(spec.kafkaBrokers == 3)
        #expect(spec.validate() == [])
    }

    /// A renderable file works as well as a directory, and gives the same specs.
    @Test func readsARenderedFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("autoscaling-\(UUID().uuidString).yaml").path
        try Self.rendered().write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ManifestReader.load(path) == ManifestReader.load(Self.afterOverlay))
    }

    @Test func maxReplicaCountAbovePartitionsIsReported() throws {
        let path = try Self.copy { $0.replacingOccurrences(of: "maxReplicaCount: 12", with: "maxReplicaCount: 13") }
        let violations = try ManifestReader.load(path).validate()
        #expect(violations.map(\.rule) == [.maxReplicasAbovePartitions])
        #expect(violations.first?.message.contains("13") == true)
    }

    @Test func missingScaleDownStabilizationIsReported() throws {
        let path = try Self.copy { yaml in
            // The worker's scale-down window (the api's is the other "stabilizationWindowSeconds: 300").
            var lines = yaml.components(separatedBy: "\n")
            if let index = lines.firstIndex(where: { $0.contains("stabilizationWindowSeconds: 300") }) {
                lines[index] = lines[index].replacingOccurrences(of: "300", with: "0")
            }
            return lines.joined(separator: "\n")
        }
        #expect(try ManifestReader.load(path).validate().map(\.rule) == [.noScaleDownStabilization])
    }

    @Test func minReplicaCountZeroAndIdleConsumersAreReported() throws {
        let path = try Self.copy {
            $0.replacingOccurrences(of: "minReplicaCount: 1", with: "minReplicaCount: 0")
              .replacingOccurrences(of: "allowIdleConsumers: \"false\"", with: "allowIdleConsumers: \"true\"")
        }
        #expect(Set(try ManifestReader.load(path).validate().map(\.rule)) == [.minReplicasZero, .idleConsumersAllowed])
    }

    @Test func badInputGivesClearErrors() throws {
        #expect(throws: ManifestError.missing(path: "/nonexistent/overlay")) { try ManifestReader.load("/nonexistent/overlay") }

        let unquoted = try Self.copy { $0.replacingOccurrences(of: "lagThreshold: \"1000\"", with: "lagThreshold: 1000") }
        #expect(throws: ManifestError.self) { try ManifestReader.load(unquoted) }
        do {
            _ = try ManifestReader.load(unquoted)
        } catch {
            #expect(error.description.contains("lagThreshold must be a string (quote it), got int 1000"))
        }

        let zeroThreshold = try Self.copy { $0.replacingOccurrences(of: "lagThreshold: \"1000\"", with: "lagThreshold: \"0\"") }
        #expect(throws: ManifestError.invalidField(source: zeroThreshold, object: "ScaledObject apps/worker",
                                                  field: "spec.triggers[0].metadata", problem: "\"lagThreshold\" must be positive number")) {
            try ManifestReader.load(zeroThreshold)
        }

        let noTopic = try Self.copy { $0.replacingOccurrences(of: "kind: KafkaTopic", with: "kind: KafkaTopicRenamed") }
        #expect(throws: ManifestError.objectNotFound(source: noTopic, what: "no KafkaTopic for topic \"events\", which ScaledObject worker watches")) {
            try ManifestReader.load(noTopic)
        }

        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("autoscaling-\(UUID().uuidString).yaml").path
        try "kind: Deployment\nmetadata: [unclosed\n".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(throws: ManifestError.self) { try ManifestReader.load(broken) }

        // A kustomize directory that does not render.
        let emptyDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("autoscaling-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: emptyDirectory, withIntermediateDirectories: true)
        do {
            _ = try ManifestReader.load(emptyDirectory.path)
            Issue.record("an empty directory must not render")
        } catch {
            guard case .renderFailed = error else { Issue.record("expected renderFailed, got \(error)"); return }
        }
    }

    /// A path that is neither a directory nor a file says so (`sim` turns it into exit status 2, which
    /// checks/twin/check-twin.sh checks on the binary).
    @Test func missingPathIsNamed() {
        #expect(throws: ManifestError.missing(path: "/nonexistent/overlay")) { try ManifestReader.load("/nonexistent/overlay") }
        #expect(ManifestError.missing(path: "/nonexistent/overlay").description.contains("manifests not found: /nonexistent/overlay"))
    }
}

@Suite("Manifest value parsing")
struct AutoscalingManifestParsingTests {
    @Test func goBooleansAndIntegers() {
        #expect(GoValueParsing.bool("True") == true)
        #expect(GoValueParsing.bool("0") == false)
        #expect(GoValueParsing.bool("yes") == nil)
        #expect(GoValueParsing.int64("+12") == 12)
        #expect(GoValueParsing.int64("1_000") == nil)
        #expect(GoValueParsing.int64(" 5") == nil)
    }

    @Test func quantities() {
        #expect(GoValueParsing.milliQuantity("250m") == 250)
        #expect(GoValueParsing.milliQuantity("1") == 1_000)
        #expect(GoValueParsing.milliQuantity("0.5") == 500)
        #expect(GoValueParsing.milliQuantity("0.0001") == 1)   // MilliValue rounds up
        #expect(GoValueParsing.milliQuantity("256Mi") == 268_435_456_000)   // 256 x 2^20 bytes, in milli
        #expect(GoValueParsing.milliQuantity("1G") == 1_000_000_000_000)
        #expect(GoValueParsing.milliQuantity("abc") == nil)
    }

    @Test func partitionLimitation() {
        #expect(GoValueParsing.partitionList("1,2,10-12,31") == [1, 2, 10, 11, 12, 31])
        #expect(GoValueParsing.partitionList("1,x") == nil)
    }
}
