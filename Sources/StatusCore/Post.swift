/// How long a Status post lives: 24 hours, a domain rule.
public let statusLifetimeSeconds: Int64 = 86_400

/// Where a post is in its life, apart from expiry (which is a matter of time, not state).
public enum PostState: String, Sendable, Codable, CaseIterable {
    /// Published and not removed.
    case live
    /// Deleted by its author while under a legal hold: never served, media kept until released.
    case deleted
    /// Taken down by a moderator: never served; media deleted unless held.
    case takenDown = "taken_down"
}

/// What a stored file is to its post.
public enum BlobRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// The uploaded image or video as accepted (served to nobody but moderators).
    case original
    /// Fits inside 1080×1920: what viewers see (a video's poster frame).
    case display
    /// Fits inside 320×320: the round preview.
    case thumb

    public static func < (a: BlobRole, b: BlobRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A stored file of a post.
public struct BlobRef: Hashable, Sendable {
    public var role: BlobRole
    /// The SHA-256 of the bytes; files are shared by every post with the same bytes.
    public var id: BlobID
    /// `image/jpeg`, `image/png`, `video/mp4`, …
    public var contentType: String
    public var bytes: Int64
    /// Pixel size after orientation or rotation; nil for an original.
    public var width: Int?
    public var height: Int?

    public init(role: BlobRole, id: BlobID, contentType: String, bytes: Int64, width: Int? = nil, height: Int? = nil) {
        self.role = role
        self.id = id
        self.contentType = contentType
        self.bytes = bytes
        self.width = width
        self.height = height
    }
}

/// The words of a text post and how they are shown.
public struct TextContent: Hashable, Sendable {
    public var text: String
    /// `#RRGGBB`.
    public var background: String
    public var font: Int

    public init(text: String, background: String, font: Int) {
        self.text = text
        self.background = background
        self.font = font
    }
}

/// What the media module found in a photo or video post.
public struct MediaSummary: Hashable, Sendable {
    /// `jpeg`, `png`, `mp4`, `webm`, …
    public var format: String
    /// Pixel size after orientation or rotation.
    public var width: Int
    public var height: Int
    /// Videos only.
    public var durationMilliseconds: Int?

    public init(format: String, width: Int, height: Int, durationMilliseconds: Int? = nil) {
        self.format = format
        self.width = width
        self.height = height
        self.durationMilliseconds = durationMilliseconds
    }
}

/// A moderator's takedown, kept on the post.
public struct Takedown: Hashable, Sendable {
    public var reason: String
    public var moderator: String
    public var at: Timestamp

    public init(reason: String, moderator: String, at: Timestamp) {
        self.reason = reason
        self.moderator = moderator
        self.at = at
    }
}

/// A Status post as stored.
public struct Post: Hashable, Sendable {
    public var id: PostID
    public var author: UserID
    public var kind: MediaKind
    public var createdAt: Timestamp
    /// Always `createdAt + 24 h`. The post is never served at or after this moment.
    public var expiresAt: Timestamp
    /// Text posts.
    public var text: TextContent?
    /// Photo and video posts.
    public var caption: String?
    public var media: MediaSummary?
    /// The stored files, in ``BlobRole`` order; empty once a removed post's media is deleted.
    public var blobs: [BlobRef]
    /// The author's privacy setting when the post was published.
    public var audience: Audience
    public var state: PostState
    /// A legal hold keeps the media past expiry or removal (never served) until released.
    public var held: Bool
    public var takedown: Takedown?

    public init(id: PostID, author: UserID, kind: MediaKind, createdAt: Timestamp, text: TextContent? = nil,
                caption: String? = nil, media: MediaSummary? = nil, blobs: [BlobRef] = [],
                audience: Audience = .contacts, state: PostState = .live, held: Bool = false, takedown: Takedown? = nil) {
        self.id = id
        self.author = author
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = createdAt + statusLifetimeSeconds
        self.text = text
        self.caption = caption
        self.media = media
        self.blobs = blobs.sorted { $0.role < $1.role }
        self.audience = audience
        self.state = state
        self.held = held
        self.takedown = takedown
    }

    /// Whether the post has expired at `now` (expiry is exclusive: at `expiresAt` it is gone).
    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    /// The file with `role`, if stored.
    public func blob(_ role: BlobRole) -> BlobRef? { blobs.first { $0.role == role } }
}
