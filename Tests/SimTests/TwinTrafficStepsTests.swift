import Testing
@testable import Sim

/// `sim scale --profile`: the demos' k6 loads as twin traffic.
@Suite("Twin traffic steps")
struct TwinTrafficStepsTests {
    @Test("steps and ramps in order, the rate linear inside a ramp, the burst ending with the last peak step")
    func parses() throws {
        let profile = try #require(TrafficProfile.steps("0-2000x120,2000x240,2000-4000x120,4000x120,4000-0x5,0x300"))
        #expect(profile.duration == 905_000)
        #expect(profile.rate(at: 60_000) == 1_000)
        #expect(profile.rate(at: 200_000) == 2_000)
        #expect(profile.rate(at: 420_000) == 3_000)
        #expect(profile.rate(at: 500_000) == 4_000)
        #expect(profile.rate(at: 700_000) == 0)
        #expect(profile.burstEnd == 605_000)
    }

    @Test("malformed steps are refused", arguments: ["", "2000", "2000x", "x60", "2000x0", "-5x10", "1-2-3x10", "ax10"])
    func refuses(_ text: String) {
        #expect(TrafficProfile.steps(text) == nil)
    }

    @Test("the generator runs the given profile, not a drawn one")
    func generatorUsesIt() throws {
        let profile = try #require(TrafficProfile.steps("3000x60,0x300"))
        let spec = ScaledObjectSpec(name: "worker", scaleTargetName: "worker", minReplicaCount: 1, maxReplicaCount: 12,
                                    trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "events", lagThreshold: 1_000))
        let generator = TwinScenarioGenerator(settings: TwinSettings(scaledObject: spec), partitions: 12,
                                              zoneOutage: false, fixedProfile: profile)
        let (scenario, used) = generator.generate(seed: 1)
        #expect(used == profile)
        #expect(scenario.config.trafficDuration == 360_000)
        #expect(generator.trafficMinutes == 6)
    }

    @Test("a short run still has its zone outage, in the traffic's last third", arguments: [1, 5, 8])
    func shortRunsKeepTheOutage(minutes: Int64) {
        let spec = ScaledObjectSpec(name: "worker", scaleTargetName: "worker", minReplicaCount: 1, maxReplicaCount: 12,
                                    trigger: KafkaTriggerSpec(consumerGroup: "g", topic: "events", lagThreshold: 1_000))
        let generator = TwinScenarioGenerator(settings: TwinSettings(scaledObject: spec), partitions: 12, trafficMinutes: minutes)
        let (scenario, profile) = generator.generate(seed: 7)
        let outages = scenario.faults.filter { $0.kind == .zoneOutage }
        #expect(outages.count == 1)
        #expect(outages.allSatisfy { $0.time >= profile.duration * 2 / 3 && $0.time <= profile.duration })
    }
}
