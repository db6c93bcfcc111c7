public import Core

/// Runs the twin for one seed and judges it.
public enum Twin {
    /// `overshoot`: pass `TwinProbe.replicasBeyondPartitions(settings, partitions:)` when running many seeds
    /// with the same settings; it is computed here otherwise.
    public static func run(generator: TwinScenarioGenerator, seed: UInt64, mode: ProcessingMode,
                           bounds: TwinReport.Bounds = TwinReport.Bounds(), options: RunOptions = RunOptions(explain: true),
                           overshoot: TwinProbe.Overshoot?? = nil) -> TwinReport {
        let (scenario, profile) = generator.generate(seed: seed)
        let result = Simulation.run(scenario, mode: mode, options: options)
        let zoneLostAt = scenario.faults.first { $0.kind == .zoneOutage }?.time
        let probe = overshoot ?? TwinProbe.replicasBeyondPartitions(generator.settings, partitions: generator.partitions)
        return TwinReport(run: result, profile: profile, settings: generator.settings, bounds: bounds,
                          zoneLostAt: zoneLostAt, overshoot: probe)
    }
}
