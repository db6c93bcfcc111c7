import LiveOTel
import Testing

/// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` have one reader (`TracingBootstrap.Sampler`): the api's ratio
/// and the worker's tracer sampler both come from it, and a value neither can follow stops the process with the
/// variable named.
@Suite("tracing: the sampler variables")
struct TracingSamplerTests {
    @Test func unsetLeavesEachRoleItsDefault() throws {
        #expect(try TracingBootstrap.Sampler([:]) == nil)
        #expect(try TracingBootstrap.Sampler(["OTEL_TRACES_SAMPLER": ""]) == nil)
        #expect(try TracingBootstrap.edgeRatio([:]) == TracingBootstrap.defaultRatio)
    }

    @Test func theManifestsValuesReadAsTheyAreMeant() throws {
        let api = try #require(try TracingBootstrap.Sampler(["OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.01"]))
        #expect(api == TracingBootstrap.Sampler(parentBased: true, ratio: 0.01))
        #expect(try TracingBootstrap.edgeRatio(["OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.01"]) == 0.01)
        let worker = try #require(try TracingBootstrap.Sampler(["OTEL_TRACES_SAMPLER": "parentbased_always_on"]))
        #expect(worker == TracingBootstrap.Sampler(parentBased: true, ratio: 1))
    }

    @Test func everySupportedFormReadsItsRatio() throws {
        let cases: [(String, String?, TracingBootstrap.Sampler)] = [
            ("always_on", nil, .init(parentBased: false, ratio: 1)),
            ("ALWAYS_OFF", nil, .init(parentBased: false, ratio: 0)),
            ("parentbased_always_off", nil, .init(parentBased: true, ratio: 0)),
            ("traceidratio", "0.25", .init(parentBased: false, ratio: 0.25)),
            ("traceidratio", nil, .init(parentBased: false, ratio: 1)),
            ("parentbased_traceidratio", "1", .init(parentBased: true, ratio: 1)),
        ]
        for (sampler, argument, expected) in cases {
            var environment = ["OTEL_TRACES_SAMPLER": sampler]
            environment["OTEL_TRACES_SAMPLER_ARG"] = argument
            #expect(try TracingBootstrap.Sampler(environment) == expected, "\(sampler) \(argument ?? "-")")
        }
    }

    @Test func aValueNeitherProcessCanFollowIsRefusedWithTheVariableNamed() {
        #expect {
            _ = try TracingBootstrap.Sampler(["OTEL_TRACES_SAMPLER": "jaeger_remote"])
        } throws: { ($0 as? TracingConfigurationError)?.reason.hasPrefix("OTEL_TRACES_SAMPLER jaeger_remote") == true }
        #expect {
            _ = try TracingBootstrap.Sampler(["OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"])
        } throws: { ($0 as? TracingConfigurationError)?.reason.hasPrefix("OTEL_TRACES_SAMPLER_ARG 1.5") == true }
    }
}
