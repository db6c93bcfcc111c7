import Core
import Foundation
import Testing
@testable import Sim

/// `sim --scenario FILE`: the schedule the e2e exports (checks/e2e/testdata/small-schedule.json is the small
/// run's, written by checks/e2e/scenario_export.py and pinned by its test) becomes a scenario with the same
/// scaling steps and faults at the same times, which runs like any other.
@Suite("scenario files: a live run's schedule replayed in the simulator")
struct ScenarioFileTests {
    static var smallSchedule: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../checks/e2e/testdata/small-schedule.json").standardized
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test func theExportedScheduleIsImportedStepForStep() throws {
        let scenario = try ScenarioFile.parse(try Self.smallSchedule)
        #expect(scenario.scaling == [ScaleStep(time: 0, replicas: 1), ScaleStep(time: 5_000, replicas: 2),
                                     ScaleStep(time: 10_000, replicas: 3), ScaleStep(time: 40_000, replicas: 2)])
        #expect(scenario.faults == [PlannedFault(time: 18_200, kind: .kill, target: 2, duration: 0),
                                    PlannedFault(time: 22_500, kind: .brokerOutage, target: 0, duration: 6_000),
                                    PlannedFault(time: 34_100, kind: .kill, target: 1, duration: 0)])
        #expect(scenario.events.count == 3_000 && scenario.replicas == 3 && scenario.partitions == 12)
        #expect(scenario.config.trafficDuration == 50_000 && scenario.config.settlementPeriod == 10_000)
        #expect(scenario.config.batchMaxEvents == 500 && scenario.config.accounts == 200)
        #expect(scenario.events.allSatisfy { $0.poison == nil })
    }

    @Test func theReplayRunsTheScheduleAndNothingElse() throws {
        let scenario = try ScenarioFile.parse(try Self.smallSchedule)
        let before = Simulation.run(scenario, mode: .before, options: RunOptions(explain: false))
        let after = Simulation.run(scenario, mode: .after, options: RunOptions(explain: false))
        #expect(before.kills == 2 && after.kills == 2)
        #expect(before.faultKinds == [.kill, .brokerOutage] && after.faultKinds == [.kill, .brokerOutage])
        #expect(after.violations.isEmpty, "\(after.violationsByCause)")
        #expect(!before.violations.isEmpty)
    }

    @Test func aBadFileIsRejectedWithItsReason() {
        let cases = [
            ("{}", "format"),
            (#"{"format":"replicasafe-scenario/1","seed":1}"#, "traffic_ms"),
            (#"{"format":"replicasafe-scenario/1","seed":1,"traffic_ms":5000,"accounts":2,"settlement_period_ms":10000,"batch_max_events":10,"shutdown_grace_ms":0,"replicas":2,"partitions":3,"events":10,"scaling":[{"at_ms":0,"replicas":3}]}"#, "replicas in 1...2"),
            (#"{"format":"replicasafe-scenario/1","seed":1,"traffic_ms":5000,"accounts":2,"settlement_period_ms":10000,"batch_max_events":10,"shutdown_grace_ms":0,"replicas":2,"partitions":3,"events":10,"scaling":[{"at_ms":0,"replicas":1}],"faults":[{"at_ms":10,"kind":"meteor"}]}"#, "kind must be one of"),
        ]
        for (text, reason) in cases {
            #expect(throws: ScenarioFile.Invalid.self) { try ScenarioFile.parse(text) }
            do {
                _ = try ScenarioFile.parse(text)
            } catch {
                #expect(error.reason.contains(reason), "\(error.reason)")
            }
        }
    }
}
