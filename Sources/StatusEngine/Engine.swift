import Foundation
import StatusCore
import StatusMedia
import StatusStore

/// The engine's use cases: publish, views, mutes, moderation, purge, over a ``StatusStorage``
/// (SQLite by default) and the media module. Time is always a parameter (`at`), so expiry can be
/// tested and previewed; post ids come from an injected random source.
///
/// ```swift
/// let engine = try Engine.open(dataDirectory: "var", configuration: .default)
/// let post = try await engine.publishText(author: UserID("u1"), text: "مرحبا", at: .now())
/// ```
public final class Engine: Sendable {
    /// The configuration the engine was opened with.
    public let configuration: EngineConfiguration
    /// Where users and posts are kept.
    public let store: any StatusStorage
    /// Validation and renditions on the media work pool.
    public let media: MediaDesk
    private let ids: IDSource
    /// The in-memory feed index (``FeedMode/index``), nil when feeds are read per request.
    let feedIndex: SharedFeedIndex?
    /// The ad inventory's targeting index and counters, between feeds.
    let adsCache = SharedAdsCache()
    /// This process's ad budget leases and served ads not recorded yet.
    let adLedger = AdLedger()
    /// Latencies and counts for a metrics backend, if the process has one.
    let metrics = EngineMetrics()
    /// Each post's feed JSON, kept for the HTTP API's feed answers.
    let feedPageWriter = FeedPageWriter()

    /// An engine over `store`. `randomSeed` makes post ids reproducible (tests); nil uses the
    /// system's random source. `feedMode` says how feeds are answered (``FeedMode``).
    public init(configuration: EngineConfiguration, store: any StatusStorage, media: MediaDesk? = nil, randomSeed: UInt64? = nil,
                feedMode: FeedMode = .index) {
        self.configuration = configuration
        self.store = store
        self.media = media ?? MediaDesk(configuration: configuration)
        self.ids = IDSource(seed: randomSeed)
        self.feedIndex = feedMode == .index ? SharedFeedIndex() : nil
    }

    /// Opens the embedded default: SQLite and blob files under `dataDirectory`.
    public static func open(dataDirectory: String, configuration: EngineConfiguration, randomSeed: UInt64? = nil,
                            feedMode: FeedMode = .index, durableFiles: Bool = true) throws -> Engine {
        let store = try SQLiteStatusStore(directory: dataDirectory, configuration: configuration.storage, durableFiles: durableFiles)
        return Engine(configuration: configuration, store: store, randomSeed: randomSeed, feedMode: feedMode)
    }

    /// A new post id from the engine's random source.
    public func newPostID() -> PostID { ids.next() }

    // MARK: Publish

    /// Validates and renders a text post (Pango/Cairo) and stores it with its two pictures.
    /// Refusals are ``MediaError``s (`text_empty`, `text_too_long`, `bad_colour`, `bad_font`);
    /// nothing is written for a refused post.
    public func publishText(author: UserID, text: String, background: String? = nil, font: Int? = nil,
                            at now: Timestamp) async throws -> Post {
        try await requireUser(author)
        let template = try await renderTextTemplate(text, background: background, font: font)
        return try await store.publish(template.post(id: ids.next(), author: author, at: now))
    }

    /// Validates and renders a photo or video file and stores the original (as uploaded) with
    /// its renditions. The file is read once into memory, and the bytes validated are the bytes
    /// stored. Refusals are ``MediaError``s; nothing is written for a refused post.
    public func publishMedia(author: UserID, file path: String, caption: String? = nil, at now: Timestamp) async throws -> Post {
        try await requireUser(author)
        let template = try await renderMediaTemplate(path, caption: caption)
        return try await store.publish(template.post(id: ids.next(), author: author, at: now))
    }

    /// A post's content, validated and rendered, before it has an id, an author or a time.
    struct Template: Sendable {
        var kind: MediaKind
        var text: TextContent?
        var caption: String?
        var media: MediaSummary?
        var files: [BlobUpload]

        func post(id: PostID, author: UserID, at now: Timestamp) -> NewPost {
            NewPost(id: id, author: author, kind: kind, createdAt: now, text: text, caption: caption, media: media, files: files)
        }
    }

    /// Validates and renders a text post (on the media work pool).
    func renderTextTemplate(_ text: String, background: String? = nil, font: Int? = nil) async throws -> Template {
        let processor = media.processor
        let renderer = TextRenderer(configuration: processor.configuration)
        let (validated, rendered) = try await media.pool.run { () throws -> (ValidatedTextPost, RenderedMedia) in
            let validated = try processor.configuration.validateTextPost(text: text, background: background, font: font)
            return (validated, try renderer.render(validated).0)
        }
        return Template(kind: .text, text: TextContent(text: validated.text, background: validated.background.hex, font: validated.font),
                        files: Self.renditionUploads(rendered))
    }

    /// Reads, validates and renders a photo or video file (on the media work pool); the original
    /// bytes come first among the files.
    func renderMediaTemplate(_ path: String, caption: String? = nil) async throws -> Template {
        let processor = media.processor
        let limit = max(processor.configuration.image.maxBytes, processor.configuration.video.maxBytes)
        let (bytes, rendered) = try await media.pool.run { () throws -> ([UInt8], RenderedMedia) in
            if let caption { try processor.configuration.validateCaption(caption) }
            let bytes = try MediaFileReader.read(path: path, limit: limit)
            return (bytes, try processor.render(bytes))
        }
        let info = rendered.info
        let duration = info.video.map { Int(($0.durationSeconds * 1000).rounded()) }
        var files = Self.renditionUploads(rendered)
        files.insert(BlobUpload(role: .original, contentType: Self.contentType(info.format), content: .bytes(bytes),
                                width: info.width, height: info.height), at: 0)
        return Template(kind: info.kind, caption: caption.flatMap { $0.isEmpty ? nil : $0 },
                        media: MediaSummary(format: info.format.rawValue, width: info.width, height: info.height,
                                            durationMilliseconds: duration),
                        files: files)
    }

    private static func renditionUploads(_ rendered: RenderedMedia) -> [BlobUpload] {
        [(BlobRole.display, rendered.display), (.thumb, rendered.thumb)].map { role, rendition in
            BlobUpload(role: role, contentType: rendition.format == .jpeg ? "image/jpeg" : "image/png",
                       content: .bytes(rendition.bytes), width: rendition.width, height: rendition.height)
        }
    }

    /// The media type of an accepted original.
    static func contentType(_ format: MediaFormat) -> String {
        switch format {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        case .gif: return "image/gif"
        case .mp4: return "video/mp4"
        case .mov: return "video/quicktime"
        case .webm: return "video/webm"
        case .matroska: return "video/x-matroska"
        }
    }

    private func requireUser(_ id: UserID) async throws {
        guard try await store.user(id) != nil else {
            throw StoreError(.unknownUser, "no user \(id): import the user before publishing")
        }
    }

    // MARK: Users

    /// Creates or updates one user from a JSON object in the import format (fields left out keep
    /// their stored values) and returns the user as stored.
    public func updateUser(_ id: UserID, json: [UInt8], at now: Timestamp) async throws -> User {
        try await store.upsertUsers([UserImport.update(of: id, json: json, at: now)])
        guard let user = try await store.user(id) else { throw StoreError(.io, "the user \(id) vanished while it was being saved") }
        return user
    }

    /// Parses a JSON Lines users file and applies every good line in one transaction. Bad lines
    /// are reported with their line numbers and reasons and change nothing.
    public func importUsers(jsonLines data: [UInt8], at now: Timestamp) async throws -> UsersImportReport {
        let parsed = UserImport.parse(jsonLines: data, at: now)
        if !parsed.updates.isEmpty {
            try await store.upsertUsers(parsed.updates.map(\.update))
        }
        return UsersImportReport(applied: parsed.updates.count, errors: parsed.errors)
    }
}

/// Post ids from a seeded or system random source.
final class IDSource: @unchecked Sendable {
    // @unchecked: the generator is only touched under `lock`.
    private let lock = NSLock()
    private var seeded: SplitMix64?

    init(seed: UInt64?) { seeded = seed.map(SplitMix64.init(seed:)) }

    func next() -> PostID {
        lock.lock()
        defer { lock.unlock() }
        if var generator = seeded {
            let id = PostID(using: &generator)
            seeded = generator
            return id
        }
        var system = SystemRandomNumberGenerator()
        return PostID(using: &system)
    }
}
