import CRdKafka
import Foundation
import LiveBlocking

/// A message to produce. `partition == nil` lets the partitioner choose by key (librdkafka's default
/// `consistent_random`: the same key always lands on the same partition).
public struct KafkaOutgoingMessage: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    public var partition: Int32?

    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }
}

/// Where the broker stored a message, known only after the broker acknowledged it.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// An idempotent producer over one `rd_kafka_t` (with the defaults, `enable.idempotence=true`, `acks=all`).
///
/// `send` returns when the broker acknowledged the message (its delivery report), or throws the report's error.
/// A dedicated thread serves delivery reports (`rd_kafka_poll`); flush and metadata calls run on the
/// producer's executor; neither blocks Swift's cooperative pool.
public final class KafkaProducer: @unchecked Sendable {
    // Safe: `handle` is thread-safe for produce/poll/flush per librdkafka's contract; `poller` is immutable;
    // `running` is atomic by lock.
    let handle: OpaquePointer
    let executor: BlockingExecutor
    private let poller: DeliveryPoller
    public let config: KafkaProducerConfig

    private init(handle: OpaquePointer, config: KafkaProducerConfig) {
        self.handle = handle
        self.config = config
        self.executor = BlockingExecutor(name: "kafka-producer")
        self.poller = DeliveryPoller(handle: SendableHandle(handle))
    }

    public static func make(_ config: KafkaProducerConfig) throws(KafkaError) -> KafkaProducer {
        let conf = try KafkaConf.make(config.librdkafkaProperties, operation: "producer")
        guard let raw = conf.pointer else { throw KafkaError.invalid("no configuration", "producer") }
        rd_kafka_conf_set_dr_msg_cb(raw, producerDeliveryCallback)
        let handle = try makeKafkaHandle(RD_KAFKA_PRODUCER, conf, operation: "producer")
        return KafkaProducer(handle: handle, config: config)
    }

    deinit {
        let handle = SendableHandle(handle)
        let poller = poller
        executor.submit {
            // Fail whatever is still queued so no awaiting task hangs, then let the poller serve those reports.
            _ = rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            _ = rd_kafka_flush(handle.pointer, 1000)
            poller.stop()
            rd_kafka_destroy(handle.pointer)
        }
        executor.shutdown()
    }

    /// Produces `message` and waits for the broker's acknowledgement. With a `target`, the waiting task is
    /// resumed from the target's thread instead of from the delivery-report thread.
    public func send(
        _ message: KafkaOutgoingMessage, resumingOn target: (any DeliveryTarget)? = nil
    ) async throws(KafkaError) -> KafkaDeliveryReport {
        // Unsafe (unchecked) continuation: resumed exactly once, by the message's one delivery report or right
        // here when librdkafka refused the message; the checked variant's extra allocation showed in profiles.
        let result: Result<KafkaDeliveryReport, KafkaError> = await withUnsafeContinuation { continuation in
            let box = DeliveryBox(.task(continuation), target: target)
            let opaque = Unmanaged.passRetained(box).toOpaque()
            if let error = enqueueWithRetry(message, opaque: opaque) {
                Unmanaged<DeliveryBox>.fromOpaque(opaque).release()
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Produces `message` without a task waiting: `completion` gets the broker's acknowledgement or the error,
    /// on the target's thread (on the delivery-report thread without one), or right here when librdkafka refused
    /// the message. For callers on a thread of their own that hand the result on, such as the api's claim writer.
    public func send(
        _ message: KafkaOutgoingMessage, resumingOn target: (any DeliveryTarget)?,
        completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) {
        let box = DeliveryBox(.callback(completion), target: target)
        let opaque = Unmanaged.passRetained(box).toOpaque()
        if let error = enqueueWithRetry(message, opaque: opaque) {
            Unmanaged<DeliveryBox>.fromOpaque(opaque).release()
            completion(.failure(error))
        }
    }

    /// Retries a full local queue for up to `message.timeout.ms` (backpressure instead of failing the request).
    private func enqueueWithRetry(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer) -> KafkaError? {
        var deadline: Date?  // read the clock only when the queue is full, not for every message
        while true {
            guard let error = produce(message, opaque: opaque) else { return nil }
            guard error.code == KafkaError.queueFull else { return error }
            let until = deadline ?? Date().addingTimeInterval(Double(config.messageTimeout.milliseconds) / 1000)
            if Date() > until { return error }
            deadline = until
            usleep(500)
        }
    }

    /// Flushes queued messages, waiting at most `timeout`.
    public func flush(timeout: Duration) async throws(KafkaError) {
        try await executor.run { () throws(KafkaError) in
            let err = rd_kafka_flush(self.handle, Int32(timeout.milliseconds))
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "flush") }
        }
    }

    /// Flushes (waiting at most `timeout`) and stops serving delivery reports. Call before exiting.
    public func close(timeout: Duration = .seconds(10)) async throws(KafkaError) {
        let poller = poller
        do {
            try await flush(timeout: timeout)
        } catch {
            await executor.run { poller.stop() }
            throw error
        }
        await executor.run { poller.stop() }
    }

    /// Asks the cluster for metadata; succeeds when at least one broker answered (readiness probes).
    public func brokerCount(timeout: Duration = .seconds(2)) async throws(KafkaError) -> Int {
        try await executor.run { () throws(KafkaError) in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(self.handle, 0, nil, &metadata, Int32(timeout.milliseconds))
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.code(err, "metadata") }
            guard let metadata else { return 0 }
            defer { rd_kafka_metadata_destroy(metadata) }
            return Int(metadata.pointee.broker_cnt)
        }
    }
}

/// A thread that a `send` wants to be resumed from, such as the event loop serving the request's
/// connection: resuming there keeps the rest of the request (writing the response) on that loop, where
/// resuming from the delivery-report thread lands the task on an arbitrary loop and costs a thread hop
/// back for the write (perf profile of `make bench-api`).
public protocol DeliveryTarget: Sendable {
    /// Runs `resume` on the target's thread, soon.
    func schedule(_ resume: @escaping @Sendable () -> Void)
}

/// Holds whoever waits for one `send` until its delivery report arrives; retained by librdkafka via the
/// message opaque.
final class DeliveryBox {
    enum Waiter {
        case task(UnsafeContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>)
        case callback(@Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void)
    }

    let waiter: Waiter
    let target: (any DeliveryTarget)?

    init(_ waiter: Waiter, target: (any DeliveryTarget)?) {
        self.waiter = waiter
        self.target = target
    }

    func resume(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        switch (waiter, target) {
        case (.task(let continuation), nil): continuation.resume(returning: result)
        case (.task(let continuation), let target?): target.schedule { continuation.resume(returning: result) }
        case (.callback(let completion), nil): completion(result)
        case (.callback(let completion), let target?): target.schedule { completion(result) }
        }
    }
}

/// `dr_msg_cb`: resumes the `send` that produced the message.
func producerDeliveryCallback(
    _ handle: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let boxPointer = message.pointee._private else { return }
    let box = Unmanaged<DeliveryBox>.fromOpaque(boxPointer).takeRetainedValue()
    let m = message.pointee
    if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
        box.resume(.failure(KafkaError.code(m.err, "delivery")))
        return
    }
    let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    box.resume(.success(KafkaDeliveryReport(topic: topic, partition: m.partition, offset: m.offset)))
}

/// The thread that serves delivery reports. `stop()` waits for the thread to leave `rd_kafka_poll`, so the
/// handle can be destroyed right after it (destroying it mid-poll corrupted the heap).
final class DeliveryPoller: @unchecked Sendable {
    // Safe: `running` is only accessed under `lock`; `handle` is used only for rd_kafka_poll, which is thread-safe;
    // `finished` is a semaphore.
    private let lock = NSLock()
    private var running = true
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)
    private let handle: SendableHandle

    init(handle: SendableHandle) {
        self.handle = handle
        let thread = Thread { [self] in
            while self.isRunning { rd_kafka_poll(self.handle.pointer, 50) }
            self.finished.signal()
        }
        thread.name = "kafka-delivery"
        thread.start()
    }

    private var isRunning: Bool { lock.withLock { running } }

    /// Stops the thread and waits (at most one poll interval) until it no longer touches the handle. Idempotent.
    func stop() {
        let wait: Bool = lock.withLock {
            running = false
            defer { stopped = true }
            return !stopped
        }
        if wait { finished.wait() }
    }
}
