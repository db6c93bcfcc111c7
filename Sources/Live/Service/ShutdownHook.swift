public import ServiceLifecycle

/// A service that does nothing until graceful shutdown, then runs `onShutdown` (e.g. flush a Kafka producer
/// after the HTTP server stopped taking requests: put it before the server in the group, which shuts down in
/// reverse order).
public struct ShutdownHook: Service {
    let onShutdown: @Sendable () async -> Void

    public init(_ onShutdown: @escaping @Sendable () async -> Void) {
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        // Sleeps until graceful shutdown cancels the wait (or the task is cancelled).
        try? await gracefulShutdown()
        await onShutdown()
    }
}
