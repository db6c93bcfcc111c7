import Foundation
import HTTPTypes
import HummingbirdTesting
import LiveAPI
import NIOCore
import Testing
import Yams

@Suite("The api's routes are docs/openapi.yaml's", .serialized)
struct APIContractTests {
    @Test("GET /openapi.yaml serves docs/openapi.yaml byte for byte")
    func servesTheDocument() async throws {
        let file = try Data(contentsOf: repositoryFile("docs/openapi.yaml"))
        #expect(Data(OpenAPIDocument.yaml.utf8) == file, "the embedded document is docs/openapi.yaml")
        let fixture = try await APIFixture.make()
        try await fixture.replica().test(.router) { client in
            try await client.execute(uri: APIRoutes.openAPI, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                #expect(Data(response.body.readableBytesView) == file)
            }
        }
        await fixture.cleanup()
    }

    @Test("every documented path and method is routed and nothing else is")
    func routeTableIsTheDocument() throws {
        let document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let operations = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        let documented = paths.mapValues { item in Set(item.keys.filter(operations.contains).map { $0.uppercased() }) }
        let routed = APIRoutes.table(enableBareRoute: false).mapValues { Set($0.map(\.rawValue)) }
        #expect(routed == documented)
    }

    @Test("a served path with another method is 405 with Allow; an unknown path is 404")
    func methodNotAllowed() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.replica().test(.router) { client in
            for (path, allowed) in APIRoutes.table(enableBareRoute: true) {
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .options, HTTPRequest.Method("PURGE")!]
                where !allowed.contains(method) {
                    try await client.execute(uri: path, method: method) { response in
                        #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                        #expect(response.headers[.allow] == allowed.map(\.rawValue).joined(separator: ", "), "\(method) \(path)")
                        let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                        #expect(body?["error"] == "method_not_allowed", "\(method) \(path)")
                    }
                }
            }
            try await client.execute(uri: "/v2/events", method: .post) { response in
                #expect(response.status == .notFound)
            }
        }
        await fixture.cleanup()
    }
}
