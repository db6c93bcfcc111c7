import ArgumentParser
import NIOCore
import NIOPosix

// Run Swift Concurrency on NIO's event loops instead of a second thread pool (half of the api's CPU in a
// perf profile of POST /v1/events was on that pool, with a hop per request each way). Must happen first, on the
// main thread. Safe because no blocking call runs on Swift's executor here: librdkafka and libpq calls run on
// their own threads (BlockingExecutor, the delivery poller).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

// Each leaf command by its concrete type: on an existential, `run()` resolves to ParsableCommand's synchronous
// default (which prints the help) instead of the command's async `run()`.
do {
    switch try APICommand.parseAsRoot() {
    case let command as ServeCommand: try await command.run()
    case let command as KeysCommand.Create: try await command.run()
    case let command as KeysCommand.List: try await command.run()
    case let command as KeysCommand.Revoke: try await command.run()
    case var command: try command.run()
    }
} catch {
    APICommand.exit(withError: error)
}
