import Foundation
public import Sim

/// `--from-manifests PATH`: a kustomize directory (rendered with kubectl kustomize) or a rendered YAML file, read
/// into the twin's specs. The worker is the Deployment the ScaledObject scales; the api is the Deployment the
/// (only) hand-written HPA scales; the topic is the KafkaTopic the kafka trigger watches.
public enum ManifestReader {
    public static func load(_ path: String) throws(ManifestError) -> AutoscalingPlatformSpec {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path: path) }
        let yaml: String
        if isDirectory.boolValue {
            yaml = try KustomizeRenderer.render(directory: path)
        } else {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw .malformedYAML(source: path, detail: "cannot read the file as UTF-8")
            }
            yaml = text
        }
        return try platformSpec(from: RenderedManifests(yaml: yaml, source: path))
    }

    public static func platformSpec(from manifests: RenderedManifests) throws(ManifestError) -> AutoscalingPlatformSpec {
        let source = manifests.source
        let scaledObjects = manifests.objects(kind: "ScaledObject", group: "keda.sh")
        guard scaledObjects.count == 1, let scaledObjectManifest = scaledObjects.first else {
            throw .objectNotFound(source: source, what: "expected exactly one keda.sh ScaledObject (the worker's), found \(scaledObjects.count)")
        }
        let scaledObject = try scaledObjectManifest.scaledObjectSpec()
        let deployments = manifests.objects(kind: "Deployment", group: "apps")
        guard let workerManifest = deployments.first(where: { $0.name == scaledObject.scaleTargetName }) else {
            throw .objectNotFound(source: source, what: "ScaledObject \(scaledObject.name) scales Deployment \"\(scaledObject.scaleTargetName)\", which is not in the manifests")
        }
        let hpas = manifests.objects(kind: "HorizontalPodAutoscaler", group: "autoscaling")
        guard hpas.count == 1, let apiHPAManifest = hpas.first else {
            throw .objectNotFound(source: source, what: "expected exactly one HorizontalPodAutoscaler (the api's; KEDA makes the worker's), found \(hpas.count)")
        }
        let apiHPA = try apiHPAManifest.hpaSpec()
        guard let apiManifest = deployments.first(where: { $0.name == apiHPA.scaleTargetName }) else {
            throw .objectNotFound(source: source, what: "HorizontalPodAutoscaler \(apiHPA.name) scales Deployment \"\(apiHPA.scaleTargetName)\", which is not in the manifests")
        }
        var topic: KafkaTopicSpec?
        for manifest in manifests.objects(kind: "KafkaTopic", group: "kafka.strimzi.io") {
            let candidate = try manifest.kafkaTopicSpec()
            if candidate.topicName == scaledObject.trigger.topic { topic = candidate }
        }
        guard let topic else {
            throw .objectNotFound(source: source, what: "no KafkaTopic for topic \"\(scaledObject.trigger.topic)\", which ScaledObject \(scaledObject.name) watches")
        }
        let pools = manifests.objects(kind: "KafkaNodePool", group: "kafka.strimzi.io")
        var brokers = 0
        for pool in pools { brokers += try pool.brokerCount() }
        return AutoscalingPlatformSpec(
            worker: try workerManifest.deploymentSpec(), workerScaledObject: scaledObject,
            api: try apiManifest.deploymentSpec(), apiHPA: apiHPA, topic: topic,
            kafkaBrokers: pools.isEmpty ? nil : brokers
        )
    }
}
