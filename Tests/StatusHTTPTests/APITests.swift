import Foundation
import Hummingbird
import HummingbirdTesting
import StatusEngine
import StatusHTTP
import Testing

/// The HTTP API in-process, over a real engine on a seeded data directory with the demo ads.
@Suite(.serialized) struct APITests {
    static let at = "2026-11-25T12:00:00Z"

    func withAPI(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try Engine.open(dataDirectory: directory, configuration: .default, durableFiles: false)
        _ = try await engine.seedDemo(DemoPopulation.Parameters(users: 60, contacts: 20, posters: 0.8, seed: 2), fixtures: "fixtures",
                                      at: Timestamp(parsing: Self.at)!)
        #expect(try await engine.loadAds(manifest: "fixtures/ads/demo.json", partial: false).errors.isEmpty)
        let access = try Access(hashes: ["feed": [Access.digest(of: "feed-token")], "adops": [Access.digest(of: "adops-token")]])
        let app = Application(router: StatusAPI(engine: engine, access: access).router())
        try await app.test(.router) { client in try await body(client) }
        try await engine.settleAds()
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func errorCode(_ buffer: ByteBuffer) -> String? {
        (object(buffer)["error"] as? [String: Any])?["code"] as? String
    }

    @Test func healthAnswersWithoutAToken() async throws {
        try await withAPI { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.object(response.body)["status"] as? String == "ok")
            }
        }
    }

    @Test func everyRouteChecksItsRoleAndAnswersErrorsAsJSON() async throws {
        try await withAPI { client in
            let feed = "/v1/feed/u1?at=\(Self.at)"
            for (headers, status, code) in [(HTTPFields(), HTTPResponse.Status.unauthorized, "unauthorized"),
                                            (Self.bearer("guess"), .unauthorized, "unauthorized"),
                                            ([.authorization: "Basic feed-token"], .unauthorized, "unauthorized"),
                                            (Self.bearer("adops-token"), .forbidden, "forbidden")] {
                try await client.execute(uri: feed, method: .get, headers: headers) { response in
                    #expect(response.status == status)
                    #expect(Self.errorCode(response.body) == code)
                    #expect(response.headers[.contentType] == "application/json")
                }
            }
            try await client.execute(uri: "/v1/ads/report", method: .get, headers: Self.bearer("feed-token")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/feed/nobody?at=\(Self.at)", method: .get, headers: Self.bearer("feed-token")) { response in
                #expect(response.status == .notFound && Self.errorCode(response.body) == "unknown_user")
            }
            try await client.execute(uri: "/v1/feed/u1?at=yesterday", method: .get, headers: Self.bearer("feed-token")) { response in
                #expect(response.status == .badRequest && Self.errorCode(response.body) == "invalid")
            }
        }
    }

    @Test func feedsCarryAdsWhoseEventsCountOnceIntoTheReport() async throws {
        try await withAPI { client in
            var tokens: [String] = []
            for n in 1...30 {
                try await client.execute(uri: "/v1/feed/u\(n)?at=\(Self.at)", method: .get, headers: Self.bearer("feed-token")) { response in
                    #expect(response.status == .ok)
                    let items = Self.object(response.body)["items"] as? [[String: Any]] ?? []
                    tokens += items.filter { $0["type"] as? String == "ad" }.compactMap { $0["token"] as? String }
                }
            }
            let token = try #require(tokens.first, "no feed had an ad")
            for outcome in ["recorded", "already_counted"] {
                let body = ByteBuffer(string: #"{"token": "\#(token)", "type": "impression", "at": "\#(Self.at)"}"#)
                try await client.execute(uri: "/v1/ads/events", method: .post, headers: Self.bearer("feed-token"), body: body) { response in
                    #expect(response.status == .ok)
                    #expect(Self.object(response.body)["outcome"] as? String == outcome)
                }
            }
            for (body, status, code) in [(#"{"token": "t0.x", "type": "click"}"#, HTTPResponse.Status.notFound, "unknown_token"),
                                         (#"{"token": "\#(token)", "type": "like"}"#, .unprocessableContent, "invalid"),
                                         ("not json", .badRequest, "bad_json")] {
                try await client.execute(uri: "/v1/ads/events", method: .post, headers: Self.bearer("feed-token"),
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status && Self.errorCode(response.body) == code, "\(body)")
                }
            }
            try await client.execute(uri: "/v1/ads/report?from=2026-11-25&format=csv", method: .get, headers: Self.bearer("adops-token")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).hasPrefix("day,campaign,creative,served,impressions,clicks,ctr,spend_micros"))
            }
            try await client.execute(uri: "/v1/ads/report?from=2026-11-25", method: .get, headers: Self.bearer("adops-token")) { response in
                let rows = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                #expect(rows.reduce(0) { $0 + ($1["served"] as? Int ?? 0) } == tokens.count)
                #expect(rows.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) } == 1)
            }
            try await client.execute(uri: "/v1/ads/report?format=xml", method: .get, headers: Self.bearer("adops-token")) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func tokensAreKeptAsDigestsAndEveryRoleOfATokenIsFound() throws {
        #expect(Access.digest(of: "feed-token").count == 64)
        #expect(throws: (any Error).self) { try Access(hashes: ["feed": ["not-a-digest"]]) }
        #expect(throws: (any Error).self) { try Access(hashes: ["owner": [Access.digest(of: "x")]]) }
        let access = try Access(hashes: ["feed": [Access.digest(of: "a")], "moderator": [Access.digest(of: "a"), Access.digest(of: "b")]])
        #expect(access.roles(of: "a") == [.feed, .moderator] && access.roles(of: "b") == [.moderator] && access.roles(of: "c").isEmpty)
    }

    @Test func adOpsListPauseAndResumeCampaignsAndUnknownRoutesAnswerJSON() async throws {
        try await withAPI { client in
            try await client.execute(uri: "/v1/ads/campaigns", method: .get, headers: Self.bearer("adops-token")) { response in
                let campaigns = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [[String: Any]] ?? []
                #expect(response.status == .ok && campaigns.compactMap { $0["id"] as? String }.sorted() == ["book-week", "morning-coffee", "sneaker-sale"])
            }
            try await client.execute(uri: "/v1/ads/campaigns/book-week/pause", method: .post, headers: Self.bearer("adops-token")) { response in
                #expect(response.status == .ok && Self.object(response.body)["active"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/ads/campaigns/book-week/resume", method: .post, headers: Self.bearer("adops-token")) { response in
                #expect(response.status == .ok && Self.object(response.body)["active"] as? Bool == true)
            }
            try await client.execute(uri: "/v1/ads/campaigns/nope/pause", method: .post, headers: Self.bearer("adops-token")) { response in
                #expect(response.status == .notFound && Self.errorCode(response.body) == "unknown_campaign")
            }
            try await client.execute(uri: "/v1/ads/campaigns/book-week/pause", method: .post, headers: Self.bearer("feed-token")) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/nothing/here", method: .get, headers: Self.bearer("adops-token")) { response in
                #expect(response.status == .notFound && Self.errorCode(response.body) == "not_found")
            }
        }
    }
}
