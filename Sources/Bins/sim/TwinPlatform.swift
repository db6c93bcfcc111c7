import Sim
import SimManifests

/// The twin's platform as the manifests declare it: the worker's ScaledObject and the topic's partitions.
struct TwinPlatform {
    var settings: TwinSettings
    var partitions: Int
    var spec: AutoscalingPlatformSpec

    static func load(_ path: String) throws -> TwinPlatform {
        let spec: AutoscalingPlatformSpec
        do {
            spec = try ManifestReader.load(path)
        } catch {
            throw error.validationError  // exit status 2 with the reason
        }
        return TwinPlatform(settings: TwinSettings(scaledObject: spec.workerScaledObject), partitions: spec.topic.partitions,
                            spec: spec)
    }
}
