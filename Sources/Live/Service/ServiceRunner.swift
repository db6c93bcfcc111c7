public import Logging
public import ServiceLifecycle
import UnixSignals

/// Runs long-lived services in one `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT: each service
/// sees graceful shutdown (`gracefulShutdown()` / `cancelWhenGracefulShutdown`) and the group ends when all
/// have returned.
public enum ServiceRunner {
    public static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
