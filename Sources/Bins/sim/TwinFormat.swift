import Core
import Sim

/// The twin's human and JSON reports.
enum TwinFormat {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    static func json(_ report: TwinReport, api: [ApiTwin.Sample], platform: TwinPlatform, seconds: Double, reproduce: String) -> JSONValue {
        let run = report.run
        return .object([
            ("seed", .int(Int64(bitPattern: run.seed))),
            ("partitions", .int(run.partitions)),
            ("max_replicas", .int(report.maxReplicas)),
            ("direction_changes", .int(report.directionChanges)),
            ("lag_peak", .int(report.lagPeak)),
            ("lag_drain_seconds", report.lagDrainSeconds.map { .int($0) } ?? .null),
            ("violations", .array(report.findings.map { .object([("kind", .string($0.kind)), ("explanation", .string($0.explanation))]) })),
            ("mode", .string(run.mode.rawValue)),
            ("worst_window_direction_changes", .int(report.worstWindowDirectionChanges)),
            ("zone_lost_at_seconds", report.zoneLostAt.map { .int($0 / 1000) } ?? .null),
            ("zone_recovery_seconds", report.zoneRecoverySeconds.map { .int($0) } ?? .null),
            ("events_produced", .int(Int64(run.eventsProduced) * platform.settings.eventsPerRecord)),
            ("duplicates", .int(run.duplicates)), ("lost", .int(run.lost)),
            ("autoscaling", .string(report.settings.autoscalingDescription)),
            ("curve", .array(run.samples.map {
                .object([("t", .int($0.time / 1000)), ("desired", .int($0.desiredReplicas)), ("ready", .int($0.readyReplicas)),
                         ("pending", .int($0.pendingPods)), ("lag", .int($0.lagEvents)), ("offered", .int($0.producedEventsPerSecond))])
            })),
            ("api_curve", .array(api.map {
                .object([("t", .int($0.time / 1000)), ("replicas", .int($0.replicas)), ("ready", .int($0.readyReplicas)),
                         ("cpu_percent", .int($0.utilizationPercent)), ("offered", .int($0.offeredRequestsPerSecond))])
            })),
            ("api_max_replicas", .int(api.map(\.replicas).max() ?? 0)),
            ("simulated_seconds", .double(Double(run.simulatedMilliseconds) / 1000)),
            ("wall_seconds", .double(seconds)),
            ("reproduce", .string(reproduce)),
        ])
    }

    static func text(_ report: TwinReport, api: [ApiTwin.Sample], platform: TwinPlatform, seconds: Double, reproduce: String) -> String {
        let run = report.run
        var lines = [
            "ReplicaSafe twin: seed \(run.seed), mode \(run.mode.rawValue), \(run.partitions) partitions, autoscaling: \(report.settings.autoscalingDescription)",
            "  traffic: \(report.profile.segments.filter { $0.label != "baseline" }.map { "\($0.label) \($0.from)->\($0.to) ev/s @\(Timestamp(milliseconds: $0.start))" }.prefix(4).joined(separator: "; ")); baseline \(report.profile.baseline) ev/s",
            "  replicas: max \(report.maxReplicas) for \(run.partitions) partitions; \(report.directionChanges) direction changes (worst window \(report.worstWindowDirectionChanges))",
            "  lag: peak \(report.lagPeak) events; drained \(report.lagDrainSeconds.map { "\($0) s" } ?? "never") after the burst ended at \(Timestamp(milliseconds: report.profile.burstEnd))",
        ]
        if let lost = report.zoneLostAt {
            lines.append("  zone outage at \(Timestamp(milliseconds: lost)): recovered in \(report.zoneRecoverySeconds.map { "\($0) s" } ?? "never")")
        }
        lines.append("  correctness: \(run.eventsProduced) records (\(run.eventsProduced) x \(platform.settings.eventsPerRecord) events), \(run.duplicates) duplicates, \(run.lost) lost, \(run.violations.count) violations")
        lines.append("  replicas over time (desired, one mark per \(platform.settings.sampleInterval / 1000 * 4) s):  " + sparkline(run.samples.enumerated().filter { $0.offset % 4 == 0 }.map { Int64($0.element.desiredReplicas) }, max: Int64(run.partitions)))
        lines.append("  lag over time (events):                          " + sparkline(run.samples.enumerated().filter { $0.offset % 4 == 0 }.map { $0.element.lagEvents }, max: report.lagPeak))
        let apiMax = Int64(platform.spec.apiHPA.maxReplicas)
        lines.append("  api replicas (its CPU HPA, min \(platform.spec.apiHPA.minReplicas) max \(apiMax)):          " + sparkline(api.enumerated().filter { $0.offset % 4 == 0 }.map { Int64($0.element.replicas) }, max: apiMax) + "  peak \(api.map(\.replicas).max() ?? 0)")
        lines.append(report.passed ? "  result:   every invariant and property held" : "  result:   VIOLATED")
        for finding in report.findings.prefix(5) { lines.append("  - [\(finding.kind)] \(finding.explanation)") }
        lines.append("  reproduce: \(reproduce)   (\(round(seconds)) s wall, \(Timestamp(milliseconds: run.simulatedMilliseconds)) simulated)")
        return lines.joined(separator: "\n")
    }

    /// Eight-level bars; the scale is 0...max.
    static func sparkline(_ values: [Int64], max: Int64) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        guard max > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { bars[Int(min(7, $0 * 7 / max))] })
    }
}
