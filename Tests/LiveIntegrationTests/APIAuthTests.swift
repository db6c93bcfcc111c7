import Foundation
import HTTPTypes
import HummingbirdTesting
import LiveAPI
import LiveAPIKeys
import LivePostgres
import LiveService
import Testing

@Suite("POST /v1/events is closed to strangers: API keys, scopes, revocation, rate limits", .serialized)
struct APIAuthTests {
    static let shopKey = "rsk_00000000000000bb_" + String(repeating: "7c", count: 32)

    @Test("missing, malformed, unknown and out-of-scope credentials are 401/403 with reasons, and nothing is produced")
    func rejected() async throws {
        let fixture = try await APIFixture.make()
        try await APIFixture.storeKey(Self.shopKey, in: fixture.database.url, accounts: ["shop-1", "shop-2-*"],
                                      ratePerSecond: 1000, burst: 1000)
        let wrongSecret = String(Self.shopKey.dropLast(2)) + "00"
        try await fixture.replica().test(.router) { client in
            let cases: [(String?, String, Int, String, String?)] = [
                // Authorization, account, status, error, field
                (nil, "shop-1", 401, "missing_credentials", nil),
                ("Basic dXNlcjpwYXNz", "shop-1", 401, "invalid_credentials", nil),
                ("Bearer not-a-key", "shop-1", 401, "invalid_credentials", nil),
                ("Bearer rsk_00000000000000cc_" + String(repeating: "7c", count: 32), "shop-1", 401, "invalid_credentials", nil),
                ("Bearer " + wrongSecret, "shop-1", 401, "invalid_credentials", nil),
                ("Bearer " + Self.shopKey, "shop-3", 403, "account_not_in_scope", "account_id"),
                ("Bearer " + Self.shopKey, "shop-2", 403, "account_not_in_scope", "account_id"),
            ]
            for (authorization, account, status, code, field) in cases {
                let response = try await client.postEvent(eventBody(account: account), authorization: authorization)
                #expect(response.status.code == status, "\(authorization ?? "none") \(account)")
                #expect(response.json["error"] == code, "\(authorization ?? "none") \(account)")
                #expect(response.json["field"] == field)
                #expect(response.json["reason"]?.isEmpty == false)
                if status == 401 { #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=") == true) }
            }
            for account in ["shop-1", "shop-2-77", "shop-2-"] {
                let response = try await client.postEvent(eventBody(account: account), authorization: "Bearer " + Self.shopKey)
                #expect(response.status == .accepted, "\(account) is in the key's scope")
            }
        }
        #expect(try await fixture.producedCount() == 3, "only the three accepted events")
        await fixture.cleanup()
    }

    @Test("a revoked key is refused within the cache's lifetime and produces nothing more")
    func revoked() async throws {
        let fixture = try await APIFixture.make()
        try await APIFixture.storeKey(Self.shopKey, in: fixture.database.url, accounts: ["*"], ratePerSecond: 1000, burst: 1000)
        let authorization = "Bearer " + Self.shopKey
        try await fixture.replica(apiKeyCacheTTL: .milliseconds(200)).test(.router) { client in
            #expect(try await client.postEvent(eventBody(), authorization: authorization).status == .accepted)
            let owner = try await TestDatabase.connect(fixture.database.url)
            try await APIKeyAdmin(connection: owner).revoke(keyID: try #require(APIKeyToken.parse(Self.shopKey[...])).keyID)
            let deadline = ContinuousClock.now + .seconds(5)
            var last = try await client.postEvent(eventBody(), authorization: authorization)
            while last.status == .accepted, ContinuousClock.now < deadline {
                last = try await client.postEvent(eventBody(), authorization: authorization)
            }
            #expect(last.status == .unauthorized)
            #expect(last.json["error"] == "revoked_credentials")
            let accepted = try await fixture.producedCount()
            for _ in 0..<5 {
                #expect(try await client.postEvent(eventBody(), authorization: authorization).status == .unauthorized)
            }
            #expect(try await fixture.producedCount() == accepted, "nothing produced after the revocation")
        }
        await fixture.cleanup()
    }

    @Test("over its rate a key gets 429 with Retry-After; other keys are not affected")
    func rateLimited() async throws {
        let fixture = try await APIFixture.make()
        try await APIFixture.storeKey(Self.shopKey, in: fixture.database.url, accounts: ["*"], ratePerSecond: 1, burst: 3)
        let metrics = MetricsRegistry()
        try await fixture.replica(metrics: metrics).test(.router) { client in
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<5 {
                let response = try await client.postEvent(eventBody(), authorization: "Bearer " + Self.shopKey)
                statuses.append(response.status.code)
                if response.status == .tooManyRequests {
                    retryAfter = response.headers[.retryAfter]
                    #expect(response.json["error"] == "rate_limited")
                }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 202 }, "\(statuses)")
            #expect(statuses.last == 429, "\(statuses)")
            #expect(Int(retryAfter ?? "") ?? 0 >= 1)
            #expect(try await client.postEvent(eventBody()).status == .accepted, "the test key has its own bucket")
        }
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(text.contains(#"replicasafe_api_requests_rejected_total{reason="rate_limited"} "#))
        await fixture.cleanup()
    }

    @Test("api keys: generated keys parse back, scopes match exactly or by prefix, bad patterns are refused")
    func keyFormat() throws {
        let token = APIKeyToken.generate()
        #expect(APIKeyToken.parse(token.text[...]) == token)
        #expect(APIKeyToken.fromAuthorization("Bearer " + token.text) == token)
        #expect(APIKeyToken.fromAuthorization("bearer  " + token.text) == token)
        #expect(APIKeyToken.fromAuthorization(token.text) == nil)
        #expect(APIKeyToken.parse((token.text + "0")[...]) == nil)
        #expect(APIKeyToken.parse(token.text.uppercased()[...]) == nil)
        #expect(APIKeyToken.generate() != token)
        let scope = APIKeyScope(["a", "b-*"])
        #expect(scope.permits(account: "a") && scope.permits(account: "b-") && scope.permits(account: "b-9"))
        #expect(!scope.permits(account: "ab") && !scope.permits(account: "b") && !scope.permits(account: "A"))
        #expect(APIKeyScope(["*"]).permits(account: "anything"))
        #expect(APIKeyScope.problem(with: "a*b") != nil && APIKeyScope.problem(with: "") != nil)
    }
}
