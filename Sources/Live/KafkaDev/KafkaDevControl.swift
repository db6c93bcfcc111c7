public import Hummingbird
public import LiveKafka
public import Logging

/// kafka-dev's fault-injection interface: plain HTTP on 127.0.0.1 (curl-friendly). Every command answers
/// `200` with a one-line text result or `400` with the reason.
///
///     GET    /brokers                               bootstrap list
///     POST   /brokers/{id|all}/down                 disconnect and refuse connections
///     POST   /brokers/{id|all}/up
///     POST   /brokers/{id|all}/rtt?ms=N             add N ms to every response (0 removes)
///     POST   /errors/{apiKey}?codes=A,B&count=N     next requests of that type fail with A, B (each repeated N times)
///     DELETE /errors/{apiKey}                       forget pending injected errors
///     POST   /topics/{name}?partitions=N            create a topic
///     POST   /partitions/{topic}/{p}/leader?broker=N
///     POST   /groups/{group}/coordinator?broker=N
public enum KafkaDevControl {
    public static let usage = """
        GET /brokers | POST /brokers/{id|all}/down | POST /brokers/{id|all}/up | POST /brokers/{id|all}/rtt?ms=N
        POST /errors/{apiKey}?codes=NAME[,NAME...]&count=N | DELETE /errors/{apiKey}
        POST /topics/{name}?partitions=N | POST /partitions/{topic}/{p}/leader?broker=N
        POST /groups/{group}/coordinator?broker=N
        apiKey: Produce Fetch ListOffsets Metadata OffsetCommit OffsetFetch FindCoordinator JoinGroup Heartbeat
                LeaveGroup SyncGroup InitProducerId (or the number); NAME: librdkafka error name, e.g.
                NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, NOT_COORDINATOR, _TRANSPORT (disconnect)
        """

    public static func router(cluster: KafkaMockCluster, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/brokers") { _, _ in cluster.bootstrapServers + "\n" }
        router.post("/brokers/:id/down") { _, context in
            let id = try broker(context)
            try await run { try await cluster.setBrokerDown(id) }
            logger.notice("fault: broker \(id) down")
            return "broker \(id) down\n"
        }
        router.post("/brokers/:id/up") { _, context in
            let id = try broker(context)
            try await run { try await cluster.setBrokerUp(id) }
            logger.notice("fault: broker \(id) up")
            return "broker \(id) up\n"
        }
        router.post("/brokers/:id/rtt") { request, context in
            let id = try broker(context)
            let ms = try integer(request, "ms", 0...60_000)
            try await run { try await cluster.setRoundTripTime(broker: id, milliseconds: ms) }
            logger.notice("fault: broker \(id) rtt \(ms) ms")
            return "broker \(id) rtt \(ms) ms\n"
        }
        router.post("/errors/:apiKey") { request, context in
            let key = try apiKey(context)
            let count = request.uri.queryParameters.get("count") == nil ? 1 : try integer(request, "count", 1...10_000)
            let codes = try errorCodes(request)
            let errors = Array(codes.map { Array(repeating: $0, count: count) }.joined())
            try await run { try await cluster.pushRequestErrors(apiKey: key, errors: errors) }
            logger.notice("fault: \(errors.count) \(key) request error(s)")
            return "\(errors.count) \(key) request error(s) queued\n"
        }
        router.delete("/errors/:apiKey") { _, context in
            let key = try apiKey(context)
            await cluster.clearRequestErrors(apiKey: key)
            return "\(key) request errors cleared\n"
        }
        router.post("/topics/:name") { request, context in
            let name = try context.parameters.require("name")
            let partitions = try integer(request, "partitions", 1...1000)
            try await run { try await cluster.createTopic(name, partitions: partitions) }
            return "topic \(name) with \(partitions) partitions\n"
        }
        router.post("/partitions/:topic/:partition/leader") { request, context in
            let topic = try context.parameters.require("topic")
            let partition = try context.parameters.require("partition", as: Int32.self)
            let brokerID = Int32(try integer(request, "broker", -1...1000))
            try await run { try await cluster.setPartitionLeader(topic: topic, partition: partition, broker: brokerID) }
            return "\(topic)[\(partition)] leader \(brokerID)\n"
        }
        router.post("/groups/:group/coordinator") { request, context in
            let group = try context.parameters.require("group")
            let brokerID = Int32(try integer(request, "broker", 1...1000))
            try await run { try await cluster.setGroupCoordinator(group: group, broker: brokerID) }
            return "group \(group) coordinator \(brokerID)\n"
        }
        return router
    }

    private static func broker(_ context: BasicRequestContext) throws -> Int32 {
        let raw = try context.parameters.require("id")
        if raw == "all" { return -1 }
        guard let id = Int32(raw), id >= 1 else { throw HTTPError(.badRequest, message: "broker id must be a number >= 1 or all\n") }
        return id
    }

    private static func apiKey(_ context: BasicRequestContext) throws -> KafkaApiKey {
        let raw = try context.parameters.require("apiKey")
        guard let key = KafkaApiKey(name: raw) else { throw HTTPError(.badRequest, message: "unknown api key \(raw)\n") }
        return key
    }

    private static func integer(_ request: Request, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let raw = request.uri.queryParameters.get(name), let value = Int(raw), range.contains(value) else {
            throw HTTPError(.badRequest, message: "query parameter \(name) must be an integer in \(range)\n")
        }
        return value
    }

    private static func errorCodes(_ request: Request) throws -> [Int32] {
        guard let raw = request.uri.queryParameters.get("codes"), !raw.isEmpty else {
            throw HTTPError(.badRequest, message: "query parameter codes is required (librdkafka error names)\n")
        }
        return try raw.split(separator: ",").map { name in
            guard let code = KafkaError.code(named: String(name)) else {
                throw HTTPError(.badRequest, message: "unknown librdkafka error name \(name)\n")
            }
            return code
        }
    }

    /// Turns a librdkafka refusal (unknown broker id, bad topic) into a 400 carrying its message.
    private static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KafkaError {
            throw HTTPError(.badRequest, message: "\(error)\n")
        }
    }
}
