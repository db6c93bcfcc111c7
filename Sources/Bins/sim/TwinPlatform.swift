import Sim

/// The twin's platform as the manifests declare it: the worker's ScaledObject and the topic's partitions.
struct TwinPlatform {
    var settings: TwinSettings
    var partitions: Int
    var spec: AutoscalingPlatformSpec

    static func load(_ path: String) throws -> TwinPlatform {
        let spec = try ManifestReader.loadForCommand(path)
        return TwinPlatform(settings: TwinSettings(scaledObject: spec.workerScaledObject), partitions: spec.topic.partitions,
                            spec: spec)
    }
}
