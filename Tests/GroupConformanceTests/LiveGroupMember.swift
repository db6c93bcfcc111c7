import Foundation
import LiveKafka

/// One member of a live run: a real librdkafka consumer and what the runner saw it apply.
final class LiveGroupMember {
    let name: String
    let consumer: KafkaConsumer
    /// Partitions whose assignment the member acknowledged and has not given back.
    var owned: Set<Int32> = []
    /// Polled by the runner; a member whose application stalls or crashed is not.
    var polling = true
    /// Still counted in the group (a zombie whose session expired, or a member that left, is not).
    var inGroup = true

    init(name: String, consumer: KafkaConsumer) {
        self.name = name
        self.consumer = consumer
    }
}

/// The consumer settings of a conformance run: short timeouts so the mock's rounds (which wait
/// `session.timeout.ms - 1 s` for members to rejoin) stay short.
enum LiveGroupSettings {
    static let sessionTimeout: Duration = .seconds(3)
    static let heartbeatInterval: Duration = .milliseconds(300)
    /// librdkafka requires `max.poll.interval.ms >= session.timeout.ms`.
    static let shortPollInterval: Duration = .seconds(3)
    /// A zombie's heartbeat interval: far past its session timeout, so the coordinator expires it while its
    /// application (and librdkafka) still believe it is a member.
    static let zombieHeartbeatInterval: Duration = .seconds(120)

    static func config(
        bootstrap: String, group: String, scenario: GroupScenario, member: String
    ) -> KafkaConsumerConfig {
        var config = KafkaConsumerConfig(bootstrapServers: bootstrap, groupID: group)
        config.assignment = scenario.rebalanceProtocol == .eager ? .range : .cooperativeSticky
        config.sessionTimeout = sessionTimeout
        config.heartbeatInterval = heartbeatInterval
        config.clientID = "conformance-\(member)"
        // librdkafka debug contexts (e.g. cgrp) to see why the mock repeats a round.
        if let debug = ProcessInfo.processInfo.environment["KAFKA_TEST_RDKAFKA_DEBUG"] { config.properties["debug"] = debug }
        for step in scenario.steps {
            switch step {
            case .sessionExpiry(member, _): config.heartbeatInterval = zombieHeartbeatInterval
            case .pollIntervalExceeded(member, _): config.maxPollInterval = shortPollInterval
            default: break
            }
        }
        return config
    }
}

extension KafkaCommitResult {
    /// The broker's answer as one code: the request error, else the first partition error, else OK.
    var code: String { error?.name ?? partitions.compactMap(\.error).first?.name ?? "OK" }
}
