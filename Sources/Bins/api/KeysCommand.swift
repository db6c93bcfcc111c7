import ArgumentParser
import Foundation
import LiveAPIKeys
import LivePostgres

/// `api keys create|list|revoke`, run as the database's owner (`DATABASE_URL` / `--database-url` of the role that
/// owns the schema; the api's own role may only read keys). The secret is printed once, by `create`, on stdout
/// and nowhere else: nothing here logs it.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys (as the database owner).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Database: ParsableArguments {
        @Option(help: "libpq URL of the schema's owner (default: DATABASE_URL).") var databaseURL: String?

        func admin() async throws -> APIKeyAdmin {
            guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] else {
                throw ValidationError("set DATABASE_URL or --database-url (the schema owner's)")
            }
            var config = PostgresConfig(url: url)
            config.reconnect.maxAttempts = 3
            let connection = try await PostgresConnection.connect(config)
            try await Schema.migrate(connection)
            return APIKeyAdmin(connection: connection)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key; prints it on stdout (the only time it is shown).")
        @OptionGroup var database: Database
        @Option(help: "Who holds the key (shown by list).") var name: String
        @Option(help: "An account the key may move money for; a trailing * makes a prefix ('*': all). Repeatable.")
        var account: [String]
        @Option(help: "Requests per second the key may send to each api replica, on average.") var ratePerSecond = 100
        @Option(help: "Requests the key may send at once.") var burst = 200

        func run() async throws {
            let token = try await database.admin().create(name: name, accounts: account, ratePerSecond: ratePerSecond, burst: burst)
            FileHandle.standardError.write(Data("created API key \(token.keyID) for \(name)\n".utf8))
            print(token.text)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (ids and scopes, never secrets).")
        @OptionGroup var database: Database

        func run() async throws {
            for key in try await database.admin().list() {
                let state = key.revokedAt.map { "revoked \($0)" } ?? "active"
                print("\(key.keyID)  \(key.name)  accounts=\(key.accounts.joined(separator: ","))  "
                      + "rate=\(key.ratePerSecond)/s burst=\(key.burst)  created \(key.createdAt)  \(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id (the 16 hex digits after rsk_).")
        @OptionGroup var database: Database
        @Argument(help: "The key id.") var keyID: String

        func run() async throws {
            try await database.admin().revoke(keyID: keyID)
            print("revoked \(keyID)")
        }
    }
}
