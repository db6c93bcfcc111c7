import Foundation

/// Settings shared by the api and the worker, with the defaults of docs/interfaces.md (they run the local
/// stack). Libraries take this struct; only executables read the environment and flags to build it.
public struct RuntimeConfig: Sendable, Equatable {
    public var kafkaBootstrapServers = "127.0.0.1:19092"
    public var kafkaTopic = "events"
    public var kafkaDLQTopic = "events.dlq"
    public var kafkaGroupID = "ledger-worker"
    public var databaseURL = "postgresql://replicasafe@127.0.0.1:15432/replicasafe"
    public var workerMode = "after"
    public var httpHost = "127.0.0.1"
    public var httpPort: Int
    public var shutdownGraceSeconds = 20
    public var batchMaxEvents = 500
    public var settlementPeriodSeconds = 60
    public var maxAttempts = 5
    public var workerID: String
    /// The worker's history file (JSON Lines for `sim check-history`); nil: none is written.
    public var historyFile: String?

    /// `httpPort` differs per process (api 8080, worker 9090); `workerID` defaults to the host name.
    public init(httpPort: Int, workerID: String) {
        self.httpPort = httpPort
        self.workerID = workerID
    }

    /// Environment variable names (docs/interfaces.md); each also exists as a `--flag` (see `RuntimeOptions`).
    public enum Key: String, CaseIterable, Sendable {
        case kafkaBootstrapServers = "KAFKA_BOOTSTRAP_SERVERS"
        case kafkaTopic = "KAFKA_TOPIC"
        case kafkaDLQTopic = "KAFKA_DLQ_TOPIC"
        case kafkaGroupID = "KAFKA_GROUP_ID"
        case databaseURL = "DATABASE_URL"
        case workerMode = "WORKER_MODE"
        case httpHost = "HTTP_HOST"
        case httpPort = "HTTP_PORT"
        case shutdownGraceSeconds = "SHUTDOWN_GRACE_SECONDS"
        case batchMaxEvents = "BATCH_MAX_EVENTS"
        case settlementPeriodSeconds = "SETTLEMENT_PERIOD_SECONDS"
        case maxAttempts = "MAX_ATTEMPTS"
        case workerID = "WORKER_ID"
        case historyFile = "HISTORY_FILE"

        /// The flag name: `KAFKA_TOPIC` -> `kafka-topic`.
        public var flag: String { rawValue.lowercased().replacingOccurrences(of: "_", with: "-") }
    }

    /// A value that could not be used, named by its variable or flag.
    public struct InvalidValue: Error, Sendable, Equatable, CustomStringConvertible {
        public let key: Key
        public let value: String
        public let reason: String
        public var description: String { "\(key.rawValue) (--\(key.flag)) = \"\(value)\": \(reason)" }
    }

    /// Applies values by key (environment first, then flags, so flags win). Unknown keys are ignored.
    public mutating func apply(_ values: [Key: String]) throws(InvalidValue) {
        for key in Key.allCases {
            guard let value = values[key] else { continue }
            try set(key, value)
        }
    }

    /// Picks this struct's variables out of a process environment.
    public static func values(fromEnvironment environment: [String: String]) -> [Key: String] {
        var values: [Key: String] = [:]
        for key in Key.allCases { values[key] = environment[key.rawValue] }
        return values
    }

    private mutating func set(_ key: Key, _ value: String) throws(InvalidValue) {
        switch key {
        case .kafkaBootstrapServers: kafkaBootstrapServers = try nonEmpty(key, value)
        case .kafkaTopic: kafkaTopic = try nonEmpty(key, value)
        case .kafkaDLQTopic: kafkaDLQTopic = try nonEmpty(key, value)
        case .kafkaGroupID: kafkaGroupID = try nonEmpty(key, value)
        case .databaseURL: databaseURL = try nonEmpty(key, value)
        case .workerMode:
            guard value == "before" || value == "after" else { throw InvalidValue(key: key, value: value, reason: "must be before or after") }
            workerMode = value
        case .httpHost: httpHost = try nonEmpty(key, value)
        case .httpPort: httpPort = try integer(key, value, 1...65535)
        case .shutdownGraceSeconds: shutdownGraceSeconds = try integer(key, value, 0...3600)
        case .batchMaxEvents: batchMaxEvents = try integer(key, value, 1...100_000)
        case .settlementPeriodSeconds: settlementPeriodSeconds = try integer(key, value, 1...86_400)
        case .maxAttempts: maxAttempts = try integer(key, value, 1...1000)
        case .workerID: workerID = try nonEmpty(key, value)
        case .historyFile: historyFile = value.isEmpty ? nil : value
        }
    }

    private func nonEmpty(_ key: Key, _ value: String) throws(InvalidValue) -> String {
        guard !value.isEmpty else { throw InvalidValue(key: key, value: value, reason: "must not be empty") }
        return value
    }

    private func integer(_ key: Key, _ value: String, _ range: ClosedRange<Int>) throws(InvalidValue) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw InvalidValue(key: key, value: value, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
