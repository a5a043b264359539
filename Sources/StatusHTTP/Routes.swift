import Foundation
import Hummingbird
import StatusEngine

/// The HTTP API over one engine: `GET /health` and the `/v1` routes, each for its roles.
public struct StatusAPI: Sendable {
    public let engine: Engine
    public let access: Access

    public init(engine: Engine, access: Access) {
        self.engine = engine
        self.access = access
    }

    /// The router with every route and the error and access rules.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorAnswers())
        router.get("/health") { _, _ in Self.json(.object([("status", .string("ok"))])) }

        // Feed service.
        router.get("/v1/feed/:viewer") { request, context in
            try self.require(.feed, request)
            let viewer = try Self.user(context.parameters.require("viewer"))
            let now = try Self.time(request.uri.queryParameters.get("at"))
            let explain = request.uri.queryParameters.get("explain") == "true"
            let page = try await self.engine.feedWithAds(for: viewer, at: now)
            return Self.json(page.json(explain: explain, policy: self.engine.configuration.ads.policy))
        }
        router.post("/v1/ads/events") { request, context in
            try self.require(.feed, request)
            let body = try await request.body.collect(upTo: 4 << 10)
            let event = try Self.decode(AdEventBody.self, body)
            guard let type = AdEventType(rawValue: event.type) else {
                throw APIError(.unprocessableContent, "invalid", "type must be one of \(AdEventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let receipt = try await self.engine.recordAdEvent(token: event.token, type: type, at: try Self.time(event.at))
            return Self.json(receipt.json(type: type))
        }

        // Ad ops.
        router.get("/v1/ads/campaigns") { request, _ in
            try self.require(.adops, request)
            let inventory = try await self.engine.adInventory()
            return Self.json(.array(inventory.campaigns.map { campaign in
                campaign.json(spent: inventory.spent[campaign.id] ?? 0,
                              creatives: inventory.creatives.filter { $0.creative.campaign == campaign.id }.map { .string($0.creative.id.rawValue) })
            }))
        }
        for (action, active) in [("pause", false), ("resume", true)] {
            router.post("/v1/ads/campaigns/:campaign/\(action)") { request, context in
                try self.require(.adops, request)
                let raw = try context.parameters.require("campaign")
                guard let id = CampaignID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not a campaign id: \(raw.debugDescription)") }
                return Self.json(try await self.engine.setCampaign(id, active: active).json(spent: nil, creatives: nil))
            }
        }
        router.get("/v1/ads/report") { request, _ in
            try self.require(.adops, request)
            let now = Timestamp.now()
            let from = try Self.day(request.uri.queryParameters.get("from")) ?? now
            let to = try Self.day(request.uri.queryParameters.get("to")) ?? from
            let rows = try await self.engine.adsReport(from: from, to: to)
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "json": return Self.json(.array(rows.map(\.json)))
            case "csv":
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: AdReportRow.csv(rows))))
            case let other: throw APIError(.badRequest, "invalid", "format must be json or csv, not \(other.debugDescription)")
            }
        }
        return router
    }

    struct AdEventBody: Decodable {
        var token: String
        var type: String
        var at: String?
    }

    /// 401 without a token of any role, 403 with a token of other roles only.
    func require(_ role: Role, _ request: Request) throws {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let roles = access.roles(of: String(header.dropFirst(7))), !roles.isEmpty else {
            throw APIError(.unauthorized, "unauthorized", "a bearer token is required")
        }
        guard roles.contains(role) else {
            throw APIError(.forbidden, "forbidden", "this route is for the \(role.rawValue) role")
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized)))
    }

    static func user(_ raw: String) throws -> UserID {
        guard let id = UserID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not a user id: \(raw.debugDescription)") }
        return id
    }

    /// A time from ISO 8601 or Unix seconds; now when absent.
    static func time(_ raw: String?) throws -> Timestamp {
        guard let raw else { return Timestamp.now() }
        guard let time = Timestamp(parsing: raw) else { throw APIError(.badRequest, "invalid", "not a time: \(raw.debugDescription)") }
        return time
    }

    static func day(_ raw: String?) throws -> Timestamp? {
        guard let raw else { return nil }
        guard let time = Timestamp(parsingDay: raw) else {
            throw APIError(.badRequest, "invalid", "not a day or a time: \(raw.debugDescription)")
        }
        return time
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch {
            throw APIError(.badRequest, "bad_json", "the body is not the JSON this route takes")
        }
    }
}
