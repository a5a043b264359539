import Foundation
import Hummingbird
import Logging
import StatusEngine

/// One route of the API: what `openapi.yaml` must describe, and which role may call it (nil:
/// anyone).
public struct RouteInfo: Hashable, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var role: Role?

    public var description: String { "\(method) \(path)" }
}

/// The HTTP API over one engine: `GET /health`, `GET /metrics` and the `/v1` routes, each for
/// its role (see `openapi.yaml`).
public struct StatusAPI: Sendable {
    public let engine: Engine
    public let access: Access
    public let limits: BodyLimits
    let uploads: UploadFolder
    let metrics: APIMetrics

    /// `uploads`: a folder for request bodies streamed to disk (media posts, manifests), best on
    /// the data directory's file system; created if missing. Each request's files are removed
    /// when it ends; what a server that died mid-request left there is removed once it is older
    /// than `storage.temporary_grace_s` (servers sharing a data directory share the folder).
    public init(engine: Engine, access: Access, uploads: String, limits: BodyLimits? = nil) throws {
        self.engine = engine
        self.access = access
        self.limits = limits ?? BodyLimits(configuration: engine.configuration)
        self.uploads = UploadFolder(path: uploads)
        self.metrics = APIMetrics.shared
        do {
            try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
            UploadFolder.sweep(uploads, olderThan: engine.configuration.storage.temporaryGraceSeconds)
        } catch {
            throw StoreError(.io, "cannot create the uploads folder \(uploads): \(error.localizedDescription)")
        }
    }

    /// Every route, in the order they are added.
    public var routes: [RouteInfo] { build().routes }

    /// The router with every route and the error, access, logging and metrics rules.
    public func router() -> Router<BasicRequestContext> { build().router }

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    /// Adds routes to a router and remembers them.
    final class Table {
        let router: Router<BasicRequestContext>
        let access: Access
        let methods: RouteMethods
        var routes: [RouteInfo] = []

        let bodyTimeout: Duration

        init(router: Router<BasicRequestContext>, access: Access, methods: RouteMethods, bodyTimeout: Duration) {
            self.router = router
            self.access = access
            self.methods = methods
            self.bodyTimeout = bodyTimeout
        }

        func on(_ method: HTTPRequest.Method, _ path: String, _ role: Role?, _ handler: @escaping Handler) {
            routes.append(RouteInfo(method: method.rawValue, path: path, role: role))
            methods.add(method.rawValue, path)
            let access = self.access
            let bodyTimeout = self.bodyTimeout
            let html = path.hasPrefix("/v1/ads/preview/")
            // GET routes read no body, so the feed's hot path does not pay for the deadline.
            if method == .get {
                router.on(RouterPath(path), method: method) { request, context in
                    if let role { try access.require(role, request, html: html) }
                    return try await handler(request, context)
                }
                return
            }
            router.on(RouterPath(path), method: method) { request, context in
                if let role { try access.require(role, request, html: html) }
                return try await BodyReading.$deadline.withValue(.now + bodyTimeout) {
                    try await handler(request, context)
                }
            }
        }
    }

    func build() -> (router: Router<BasicRequestContext>, routes: [RouteInfo]) {
        let router = Router()
        router.add(middleware: RequestLog())
        router.add(middleware: MetricsMiddleware())
        let methods = RouteMethods()
        router.add(middleware: ErrorAnswers(methods: methods))
        let table = Table(router: router, access: access, methods: methods,
                          bodyTimeout: .seconds(engine.configuration.server.bodyTimeoutSeconds))
        table.on(.get, "/health", nil) { _, _ in Self.json(.object([("status", .string("ok"))])) }
        table.on(.get, "/metrics", nil) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.metrics.exposition())))
        }
        addFeedRoutes(table)
        addModerationRoutes(table)
        addAdOpsRoutes(table)
        return (router, table.routes)
    }

    // MARK: Feed service

    func addFeedRoutes(_ table: Table) {
        table.on(.get, "/v1/users/{user}", .feed) { _, context in
            let id = try Self.user(context, "user")
            guard let user = try await self.engine.store.user(id) else { throw StoreError(.unknownUser, "no user \(id)") }
            return Self.json(user.json)
        }
        table.on(.put, "/v1/users/{user}", .feed) { request, context in
            let id = try Self.user(context, "user")
            try request.requireMediaType("application/json")
            let body = try await request.collect(limit: self.limits.user)
            let user = try await self.engine.updateUser(id, json: Array(body.readableBytesView), at: try Self.time(request, "at"))
            return Self.json(user.json)
        }
        table.on(.get, "/v1/users/{user}/status", .feed) { request, context in
            let id = try Self.user(context, "user")
            guard try await self.engine.store.user(id) != nil else { throw StoreError(.unknownUser, "no user \(id)") }
            let now = try Self.time(request, "at")
            return Self.json(try await self.engine.myStatus(author: id, at: now).json(author: id, at: now))
        }
        for (method, muted) in [(HTTPRequest.Method.put, true), (.delete, false)] {
            table.on(method, "/v1/users/{user}/muted/{author}", .feed) { _, context in
                let (viewer, author) = (try Self.user(context, "user"), try Self.user(context, "author"))
                try await self.engine.store.setMuted(viewer: viewer, author: author, muted: muted)
                return Self.json(.object([("viewer", .string(viewer.rawValue)), ("author", .string(author.rawValue)), ("muted", .bool(muted))]))
            }
        }
        table.on(.post, "/v1/posts", .feed) { request, context in
            let post = try await self.publish(request)
            return Self.json(post.json, status: .created, headers: [.location: "/v1/posts/\(post.id)"])
        }
        table.on(.get, "/v1/posts/{post}", .feed) { _, context in
            let id = try Self.post(context)
            guard let post = try await self.engine.store.post(id) else { throw StoreError(.unknownPost, "no post \(id)") }
            return Self.json(post.json)
        }
        table.on(.delete, "/v1/posts/{post}", .feed) { request, context in
            let id = try Self.post(context)
            guard let raw = request.uri.queryParameters.get("author") else {
                throw APIError(.badRequest, "invalid", "give the author: ?author=ID (only the author may delete a post)")
            }
            try await self.engine.store.deleteByAuthor(post: id, author: try Self.user(raw), at: try Self.time(request, "at"))
            return Self.json(.object([("post", .string(id.rawValue)), ("deleted", .bool(true))]))
        }
        table.on(.post, "/v1/posts/{post}/views", .feed) { request, context in
            let id = try Self.post(context)
            let body = try await request.jsonFields(limit: self.limits.json, allowed: ["viewer", "at"])
            let viewer = try Self.user(try body.required("viewer"))
            let outcome = try await self.engine.store.recordView(post: id, viewer: viewer, at: try Self.time(try body.string("at")))
            return Self.json(.object([("post", .string(id.rawValue)), ("viewer", .string(viewer.rawValue)), ("outcome", .string(outcome.rawValue))]))
        }
        table.on(.get, "/v1/posts/{post}/viewers", .feed) { _, context in
            let id = try Self.post(context)
            guard try await self.engine.store.post(id) != nil else { throw StoreError(.unknownPost, "no post \(id)") }
            let views = try await self.engine.store.viewers(of: id)
            return Self.json(.object([("post", .string(id.rawValue)), ("viewers", .array(views.map {
                .object([("viewer", .string($0.viewer.rawValue)), ("at", .string($0.at.iso8601))])
            }))]))
        }
        table.on(.get, "/v1/feed/{viewer}", .feed) { request, context in
            let viewer = try Self.user(context, "viewer")
            let explain = try Self.flag(request, "explain")
            let page = try await self.engine.feedWithAds(for: viewer, at: try Self.time(request, "at"))
            return Self.json(bytes: self.engine.feedPageJSON(page, explain: explain))
        }
        table.on(.post, "/v1/ads/events", .feed) { request, _ in
            let body = try await request.jsonFields(limit: self.limits.event, allowed: ["token", "type", "at"])
            let raw = try body.required("type")
            guard let type = AdEventType(rawValue: raw) else {
                throw APIError(.unprocessableContent, "invalid", "type must be one of \(AdEventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let receipt = try await self.engine.recordAdEvent(token: try body.required("token"), type: type, at: try Self.time(try body.string("at")))
            return Self.json(receipt.json(type: type))
        }
        table.on(.get, "/v1/media/{blob}", .feed) { request, context in
            try await self.media(request, context)
        }
    }

    /// `POST /v1/posts`: a text post as JSON, or a photo or video as the body itself or as the
    /// `media` part of a form, streamed to a file under its limit before it is checked.
    func publish(_ request: Request) async throws -> Post {
        if ["application/json", "multipart/form-data"].contains(request.mediaType),
           let misplaced = ["author", "caption", "at"].first(where: { request.uri.queryParameters.get($0) != nil }) {
            throw APIError(.badRequest, "invalid", "\(misplaced) goes in the \(request.mediaType == "application/json" ? "JSON body" : "form"), not the query")
        }
        switch request.mediaType {
        case "application/json":
            let body = try await request.jsonFields(limit: limits.json, allowed: ["author", "text", "background", "font", "at"])
            return try await engine.publishText(author: try Self.user(try body.required("author")), text: try body.required("text"),
                                                background: try body.string("background"), font: try body.int("font"),
                                                at: try Self.time(try body.string("at")))
        case "multipart/form-data":
            let scratch = try uploads.makeScratch()
            defer { UploadFolder.discard(scratch) }
            var form = FormParts(scratch: scratch, fileLimit: limits.media, fileFields: ["media": { _ in "media" }])
            do {
                try await UploadFolder.stream(request.body, multipart: request.headers[.contentType] ?? "", limit: limits.media + (64 << 10), into: &form)
            } catch {
                form.abandon()
                throw error
            }
            if let unknown = form.fields.keys.sorted().first(where: { !["author", "caption", "at"].contains($0) }) {
                throw APIError(.badRequest, "bad_multipart", "unknown field \(unknown.debugDescription); the form takes author, caption, at and the file part media")
            }
            guard let file = form.files.first(where: { $0.field == "media" }) else {
                throw APIError(.badRequest, "bad_multipart", "the form has no file part named media")
            }
            guard let author = form.fields["author"] else { throw APIError(.badRequest, "bad_multipart", "the form has no author field") }
            return try await engine.publishMedia(author: try Self.user(author), file: file.path, caption: form.fields["caption"],
                                                 at: try Self.time(form.fields["at"]))
        case let type? where Self.uploadTypes.contains(type):
            let query = request.uri.queryParameters
            guard let author = query.get("author") else { throw APIError(.badRequest, "invalid", "give the author: ?author=ID") }
            let id = try Self.user(author)
            let scratch = try uploads.makeScratch()
            defer { UploadFolder.discard(scratch) }
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limits.media { throw UploadFolder.tooLarge(limits.media) }
            _ = try await UploadFolder.stream(request.body, to: scratch + "/media", limit: limits.media)
            return try await engine.publishMedia(author: id, file: scratch + "/media", caption: query.get("caption"), at: try Self.time(query.get("at")))
        default:
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "a post is application/json (text), multipart/form-data, or the photo or video itself (\(Self.uploadTypes.joined(separator: ", ")))")
        }
    }

    /// The media types a photo or video may be sent as; the bytes decide what it is.
    static let uploadTypes = ["image/jpeg", "image/png", "image/gif", "video/mp4", "video/quicktime", "video/webm", "video/x-matroska",
                              "application/octet-stream"]

    // MARK: Moderators

    func addModerationRoutes(_ table: Table) {
        table.on(.post, "/v1/moderation/posts/{post}/takedown", .moderator) { request, context in
            let id = try Self.post(context)
            let body = try await request.jsonFields(limit: self.limits.json, allowed: ["moderator", "reason", "hold", "at"])
            let (moderator, reason) = try Self.moderation(body, reasonRequired: true)
            let post = try await self.engine.store.takedown(post: id, reason: reason!, moderator: moderator, hold: try body.bool("hold") ?? false,
                                                            at: try Self.time(try body.string("at")))
            return Self.json(post.json)
        }
        for (action, hold) in [("hold", true), ("release", false)] {
            table.on(.post, "/v1/moderation/posts/{post}/\(action)", .moderator) { request, context in
                let id = try Self.post(context)
                let body = try await request.jsonFields(limit: self.limits.json, allowed: ["moderator", "reason", "at"])
                let (moderator, reason) = try Self.moderation(body, reasonRequired: false)
                let now = try Self.time(try body.string("at"))
                let post = hold
                    ? try await self.engine.store.hold(post: id, reason: reason, moderator: moderator, at: now)
                    : try await self.engine.store.release(post: id, reason: reason, moderator: moderator, at: now)
                return Self.json(post.json)
            }
        }
        table.on(.post, "/v1/moderation/purge", .moderator) { request, _ in
            let body = try await request.optionalJSONFields(limit: self.limits.json, allowed: ["dry_run", "batch", "at"])
            let batch = try body.int("batch") ?? self.engine.configuration.storage.purgeBatchSize
            guard (1...100_000).contains(batch) else { throw APIError(.unprocessableContent, "invalid", "batch: give 1 to 100000") }
            let summary = try await self.engine.store.purge(at: try Self.time(try body.string("at")), batchSize: batch,
                                                            dryRun: try body.bool("dry_run") ?? false, progress: nil)
            if !summary.dryRun { self.metrics.purged(summary) }
            return Self.json(summary.json)
        }
        table.on(.get, "/v1/moderation/reconcile", .moderator) { request, _ in
            Self.json(try await self.engine.store.reconcile(fix: false, at: try Self.time(request, "at")).json)
        }
        table.on(.get, "/v1/moderation/audit", .moderator) { request, _ in
            let after = try Self.integer(request, "after", in: 0...Int.max) ?? 0
            let limit = try Self.integer(request, "limit", in: 1...10_000) ?? 1_000
            let entries = try await self.engine.store.auditLog(after: Int64(after), limit: limit)
            return Self.json(.object([("entries", .array(entries.map(\.json))), ("next", .int(Int(entries.last?.sequence ?? Int64(after))))]))
        }
    }

    static func moderation(_ body: JSONFields, reasonRequired: Bool) throws -> (moderator: String, reason: String?) {
        let moderator = try body.required("moderator")
        let reason = reasonRequired ? try body.required("reason") : try body.string("reason")
        if let problem = ModerationInput.problem(moderator: moderator, reason: reason) {
            throw APIError(.unprocessableContent, "invalid", "\(problem.field): \(problem.rule)")
        }
        return (moderator, reason)
    }

    // MARK: Ad ops

    func addAdOpsRoutes(_ table: Table) {
        table.on(.post, "/v1/ads/manifests", .adops) { request, _ in
            let report = try await self.loadManifest(request)
            // 422 when errors kept everything out (with or without partial), 200 otherwise.
            return Self.json(report.json, status: report.errors.isEmpty || report.loaded ? .ok : .unprocessableContent)
        }
        table.on(.get, "/v1/ads/campaigns", .adops) { _, _ in
            Self.json(.array(try await self.engine.adInventory().campaignsJSON))
        }
        for (action, active) in [("pause", false), ("resume", true)] {
            table.on(.post, "/v1/ads/campaigns/{campaign}/\(action)", .adops) { _, context in
                let raw = try Self.parameter(context, "campaign")
                guard let id = CampaignID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not a campaign id: \(raw.debugDescription)") }
                return Self.json(try await self.engine.setCampaign(id, active: active).json(spent: nil, creatives: nil))
            }
        }
        table.on(.get, "/v1/ads/report", .adops) { request, _ in
            let now = Timestamp.now()
            let from = try Self.day(request.uri.queryParameters.get("from")) ?? now
            let to = try Self.day(request.uri.queryParameters.get("to")) ?? from
            let format = request.uri.queryParameters.get("format") ?? "json"
            guard format == "json" || format == "csv" else {
                throw APIError(.badRequest, "invalid", "format must be json or csv, not \(format.debugDescription)")
            }
            // This process's served ads are recorded every ads.record_interval_ms; record them now,
            // so that the report includes the feeds this server has just answered.
            try? await self.engine.recordServedAds()
            let rows = try await self.engine.adsReport(from: from, to: to)
            if format == "csv" {
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: AdReportRow.csv(rows))))
            }
            return Self.json(.array(rows.map(\.json)))
        }
        table.on(.get, "/v1/ads/explain/{viewer}", .adops) { request, context in
            let page = try await self.engine.previewAds(for: try Self.user(context, "viewer"), creative: try Self.creative(request),
                                                        at: try Self.time(request, "at"))
            return Self.json(page.json(explain: true, policy: self.engine.configuration.ads.policy))
        }
        table.on(.get, "/v1/ads/preview/{viewer}", .adops) { request, context in
            let viewer = try Self.user(context, "viewer")
            let now = try Self.time(request, "at")
            let page = try await self.engine.previewAds(for: viewer, creative: try Self.creative(request), at: now)
            let html = try await PreviewPage(page: page, policy: self.engine.configuration.ads.policy, store: self.engine.store, at: now).render()
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
    }

    /// `POST /v1/ads/manifests`: a JSON or CSV manifest as the body, or a form with the manifest
    /// as its `manifest` part and its media as `media` parts named by the paths the manifest
    /// gives. Checked and loaded as `statusctl ads load` does; media paths are plain names, so they
    /// stay inside the upload.
    func loadManifest(_ request: Request) async throws -> AdsLoadReport {
        let partial = try Self.flag(request, "partial")
        let scratch = try uploads.makeScratch()
        defer { UploadFolder.discard(scratch) }
        let manifest: String
        switch request.mediaType {
        case "application/json", "text/csv":
            manifest = scratch + (request.mediaType == "text/csv" ? "/.manifest.csv" : "/.manifest.json")
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limits.manifest { throw UploadFolder.tooLarge(limits.manifest) }
            _ = try await UploadFolder.stream(request.body, to: manifest, limit: limits.manifest)
        case "multipart/form-data":
            var form = FormParts(scratch: scratch, fileLimit: max(limits.media, limits.manifest), fileFields: [
                "manifest": { part in
                    part.contentType.flatMap(MediaType.init)?.essence == "text/csv" || part.filename?.lowercased().hasSuffix(".csv") == true
                        ? ".manifest.csv" : ".manifest.json"
                },
                "media": { part in try FormParts.relativePath(part.filename ?? "") },
            ])
            do {
                try await UploadFolder.stream(request.body, multipart: request.headers[.contentType] ?? "", limit: limits.manifestUpload, into: &form)
            } catch {
                form.abandon()
                throw error
            }
            if let unknown = form.fields.keys.sorted().first {
                throw APIError(.badRequest, "bad_multipart", "unknown field \(unknown.debugDescription); the form takes the file parts manifest and media")
            }
            guard let file = form.files.first(where: { $0.field == "manifest" }) else {
                throw APIError(.badRequest, "bad_multipart", "the form has no file part named manifest")
            }
            manifest = file.path
        default:
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "a manifest is application/json, text/csv, or multipart/form-data with the manifest and its media")
        }
        return try await engine.loadAds(manifest: manifest, partial: partial)
    }

    // MARK: Parameters and answers

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(bytes: value.utf8, status: status, headers: headers)
    }

    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A path parameter, percent-decoded (`a%40b` is `a@b`).
    static func parameter(_ context: BasicRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError(.badRequest, "invalid", "\(name): \(raw.debugDescription) is not valid percent-encoding")
        }
        return decoded
    }

    static func user(_ raw: String) throws -> UserID {
        guard let id = UserID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not a user id: \(raw.debugDescription)") }
        return id
    }

    static func user(_ context: BasicRequestContext, _ name: String) throws -> UserID {
        try user(parameter(context, name))
    }

    static func post(_ context: BasicRequestContext) throws -> PostID {
        let raw = try parameter(context, "post")
        guard let id = PostID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not a post id: \(raw.debugDescription)") }
        return id
    }

    static func creative(_ request: Request) throws -> CreativeID? {
        guard let raw = request.uri.queryParameters.get("creative") else { return nil }
        guard let id = CreativeID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not a creative id: \(raw.debugDescription)") }
        return id
    }

    /// A time from ISO 8601 or Unix seconds; now when absent.
    static func time(_ raw: String?) throws -> Timestamp {
        guard let raw else { return Timestamp.now() }
        guard let time = Timestamp(parsing: raw) else { throw APIError(.badRequest, "invalid", "not a time: \(raw.debugDescription)") }
        return time
    }

    static func time(_ request: Request, _ name: String) throws -> Timestamp {
        try time(request.uri.queryParameters.get(name))
    }

    static func day(_ raw: String?) throws -> Timestamp? {
        guard let raw else { return nil }
        guard let time = Timestamp(parsingDay: raw) else {
            throw APIError(.badRequest, "invalid", "not a day or a time: \(raw.debugDescription)")
        }
        return time
    }

    static func flag(_ request: Request, _ name: String) throws -> Bool {
        switch request.uri.queryParameters.get(name) {
        case nil, "false"?: return false
        case "true"?: return true
        case let other?: throw APIError(.badRequest, "invalid", "\(name) must be true or false, not \(other.debugDescription)")
        }
    }

    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw APIError(.badRequest, "invalid", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

extension Access {
    /// 401 without a token of any role (a bearer token, or a Basic password for browsers), 403
    /// with a token of other roles only.
    func require(_ role: Role, _ request: Request, html: Bool) throws {
        guard let token = Self.token(request), case let roles = self.roles(of: token), !roles.isEmpty else {
            throw APIError(.unauthorized, "unauthorized", "a bearer token is required",
                           headers: [.wwwAuthenticate: html ? #"Basic realm="Status Engine ad ops", charset="UTF-8""# : #"Bearer realm="Status Engine""#])
        }
        guard roles.contains(role) else {
            throw APIError(.forbidden, "forbidden", "this route is for the \(role.rawValue) role")
        }
    }

    /// `Authorization: Bearer TOKEN`, or `Basic` with the token as the password (what a browser
    /// sends for the preview page).
    static func token(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        if header.hasPrefix("Bearer ") { return String(header.dropFirst(7)) }
        if header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
           let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
            return String(pair[pair.index(after: colon)...])
        }
        return nil
    }
}
