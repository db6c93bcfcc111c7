import ArgumentParser

/// The events API: `api [serve]` runs it; `api keys ...` manages its clients' API keys.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "ReplicaSafe events API (POST /v1/events, GET /openapi.yaml, /healthz, /readyz, /metrics).",
        discussion: "Every option also reads its environment variable (docs/interfaces.md); a flag wins.",
        subcommands: [ServeCommand.self, KeysCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
