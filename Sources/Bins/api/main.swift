import ArgumentParser
import NIOCore
import NIOPosix

// Run Swift Concurrency on NIO's event loops instead of a second thread pool (half of the api's CPU in a
// perf profile of POST /v1/events was on that pool, with a hop per request each way). Must happen first, on the
// main thread. Safe because no blocking call runs on Swift's executor here: librdkafka and libpq calls run on
// their own threads (BlockingExecutor, the delivery poller).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

do {
    let command = try APICommand.parse()
    try await command.run()
} catch {
    APICommand.exit(withError: error)
}
