/// The bytes of a file to store with a post, from memory or from a file on disk.
public enum BlobContent: Sendable {
    case bytes([UInt8])
    /// A file that is read (streamed) while it is copied into the store.
    case file(path: String)
    /// A file the store already holds (the same bytes another post uses): nothing is written.
    case stored(BlobID)
}

/// A file the engine hands the store while publishing.
public struct BlobUpload: Sendable {
    public var role: BlobRole
    public var contentType: String
    public var content: BlobContent
    public var width: Int?
    public var height: Int?

    public init(role: BlobRole, contentType: String, content: BlobContent, width: Int? = nil, height: Int? = nil) {
        self.role = role
        self.contentType = contentType
        self.content = content
        self.width = width
        self.height = height
    }
}

/// A post ready to be stored: validated and rendered, but with no audience yet. The store
/// snapshots the author's privacy setting in the same transaction that writes the row.
public struct NewPost: Sendable {
    public var id: PostID
    public var author: UserID
    public var kind: MediaKind
    public var createdAt: Timestamp
    public var text: TextContent?
    public var caption: String?
    public var media: MediaSummary?
    public var files: [BlobUpload]

    public init(id: PostID, author: UserID, kind: MediaKind, createdAt: Timestamp, text: TextContent? = nil,
                caption: String? = nil, media: MediaSummary? = nil, files: [BlobUpload]) {
        self.id = id
        self.author = author
        self.kind = kind
        self.createdAt = createdAt
        self.text = text
        self.caption = caption
        self.media = media
        self.files = files
    }
}

/// One viewer of a post, for its author.
public struct PostView: Hashable, Sendable {
    public var viewer: UserID
    public var at: Timestamp
    public init(viewer: UserID, at: Timestamp) {
        self.viewer = viewer
        self.at = at
    }
}

/// What recording a view did.
public enum ViewOutcome: String, Sendable {
    /// First view of this post by this viewer.
    case recorded
    /// Already seen: nothing changed (views are counted once).
    case alreadySeen = "already_seen"
}

/// A moderator action as written to the append-only audit log.
public struct AuditEntry: Hashable, Sendable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case takedown
        case hold
        case release
        case purge
        case reconcile
    }

    /// Position in the log, increasing.
    public var sequence: Int64
    public var at: Timestamp
    public var action: Action
    /// Who acted: a moderator's name, or `system` for purge and reconcile runs.
    public var actor: String
    public var post: PostID?
    public var reason: String?
    /// Figures or state the action changed, as compact JSON.
    public var detail: String?

    public init(sequence: Int64, at: Timestamp, action: Action, actor: String, post: PostID?, reason: String?, detail: String?) {
        self.sequence = sequence
        self.at = at
        self.action = action
        self.actor = actor
        self.post = post
        self.reason = reason
        self.detail = detail
    }
}

/// What a purge did (or, for a dry run, would do).
public struct PurgeSummary: Hashable, Sendable {
    /// Post rows deleted.
    public var posts: Int
    /// Blob files unlinked (files still used by another post are kept and not counted).
    public var files: Int
    /// Bytes of those files.
    public var bytes: Int64
    public var dryRun: Bool

    public init(posts: Int = 0, files: Int = 0, bytes: Int64 = 0, dryRun: Bool = false) {
        self.posts = posts
        self.files = files
        self.bytes = bytes
        self.dryRun = dryRun
    }
}

/// Progress of a long operation, for a progress bar: `done` of `total` items.
public typealias ProgressReport = @Sendable (_ done: Int, _ total: Int) -> Void

/// What `reconcile` found (and, with `fix`, repaired).
public struct ReconcileReport: Hashable, Sendable {
    /// Blob files with no row: left by a crash between writing a file and committing its row.
    public var orphanFiles: [BlobID]
    /// Their total size.
    public var orphanBytes: Int64
    /// Blob rows whose file is missing.
    public var missingFiles: [BlobID]
    /// Temporary files older than the grace period, left by an interrupted write, and files an
    /// interrupted purge left in the trash.
    public var staleTemporaryFiles: Int
    /// Blob rows whose reference count disagreed with the posts using them.
    public var miscountedBlobs: Int
    /// Whether the findings were repaired.
    public var fixed: Bool

    public init(orphanFiles: [BlobID] = [], orphanBytes: Int64 = 0, missingFiles: [BlobID] = [],
                staleTemporaryFiles: Int = 0, miscountedBlobs: Int = 0, fixed: Bool = false) {
        self.orphanFiles = orphanFiles
        self.orphanBytes = orphanBytes
        self.missingFiles = missingFiles
        self.staleTemporaryFiles = staleTemporaryFiles
        self.miscountedBlobs = miscountedBlobs
        self.fixed = fixed
    }

    /// Whether nothing was found.
    public var isClean: Bool {
        orphanFiles.isEmpty && missingFiles.isEmpty && staleTemporaryFiles == 0 && miscountedBlobs == 0
    }
}

/// Everything the engine keeps about users and posts. The embedded default is SQLite
/// (`SQLiteStatusStore` in StatusStore); a PostgreSQL backend for many engine nodes implements
/// the same protocol. Every method is atomic; times are parameters.
public protocol StatusStorage: AdStorage {
    // Users
    /// Applies every update in one transaction (all or none).
    func upsertUsers(_ updates: [UserUpdate]) async throws
    func user(_ id: UserID) async throws -> User?

    // Posts
    /// Stores the files (each written to a temporary file, synced and renamed before the row is
    /// committed), snapshots the author's privacy setting and commits the post.
    func publish(_ post: NewPost) async throws -> Post
    /// The post, whatever its state, until it is purged; nil for an unknown id.
    func post(_ id: PostID) async throws -> Post?
    /// Records that `viewer` saw `post` at `now`, if the post is visible to them then.
    func recordView(post: PostID, viewer: UserID, at now: Timestamp) async throws -> ViewOutcome
    /// Who viewed the post, oldest first; empty when the author's read receipts are off, and
    /// without viewers whose own read receipts are off.
    func viewers(of post: PostID) async throws -> [PostView]
    func setMuted(viewer: UserID, author: UserID, muted: Bool) async throws
    /// A stored file a viewer may be sent at `now`: a rendition (or a video's original) of a
    /// live, unexpired post, or of an ad creative. Nil for an unknown or purged file, an image's
    /// original, and the files of removed or expired posts.
    func servableBlob(_ id: BlobID, at now: Timestamp) async throws -> ServableBlob?
    /// Many posts in one transaction (all or none): bulk loads such as a demo population.
    func publish(batch posts: [NewPost]) async throws
    /// Many views in one transaction (all or none), each checked like ``recordView(post:viewer:at:)``.
    func recordViews(_ views: [(post: PostID, viewer: UserID, at: Timestamp)]) async throws -> [ViewOutcome]
    /// Many mutes in one transaction (all or none).
    func setMuted(_ pairs: [(viewer: UserID, author: UserID)], muted: Bool) async throws
    func isMuted(viewer: UserID, author: UserID) async throws -> Bool
    /// The author deletes their post: gone from every feed at once; its files are deleted
    /// (unless a legal hold keeps them).
    func deleteByAuthor(post: PostID, author: UserID, at now: Timestamp) async throws

    // Moderation
    func takedown(post: PostID, reason: String, moderator: String, hold: Bool, at now: Timestamp) async throws -> Post
    func hold(post: PostID, reason: String?, moderator: String, at now: Timestamp) async throws -> Post
    /// Lifts a hold; the post's files go at once if it is removed, or with the next purge if expired.
    func release(post: PostID, reason: String?, moderator: String, at now: Timestamp) async throws -> Post
    /// Audit entries after `sequence`, oldest first.
    func auditLog(after sequence: Int64, limit: Int) async throws -> [AuditEntry]

    // Housekeeping
    /// Deletes expired and removed posts that are not held, then their unused files, in batches
    /// of short transactions. Resumable and idempotent.
    func purge(at now: Timestamp, batchSize: Int, dryRun: Bool, progress: ProgressReport?) async throws -> PurgeSummary
    /// Compares blob files with blob rows.
    func reconcile(fix: Bool, at now: Timestamp) async throws -> ReconcileReport
    /// `PRAGMA integrity_check`'s findings; empty when the database is sound.
    func integrityCheck() async throws -> [String]

    // Feed
    /// Everything the feed reads, at the store's current version.
    func feedWorld() async throws -> FeedWorld
    /// What changed after `version` (from an earlier ``feedWorld()`` or ``feedChanges(after:)``),
    /// read in one transaction; or the whole state when the log no longer reaches back that far.
    func feedChanges(after version: Int64) async throws -> FeedChanges
    /// Only what `viewer`'s feed at `now` reads: the viewer's lists, each contact's lists as far
    /// as they concern the viewer, the contacts' live posts at `now`, the viewer's views of them
    /// and mutes. One query's worth, for a single feed without an index.
    func feedWorld(around viewer: UserID, at now: Timestamp) async throws -> FeedWorld
    /// The author's live, unexpired posts at `now`, in posting order, with view counts.
    func ownStatus(author: UserID, at now: Timestamp) async throws -> [OwnStatus]
}

/// A stored file as the HTTP API serves it.
public struct ServableBlob: Hashable, Sendable {
    public var id: BlobID
    /// `image/jpeg`, `video/mp4`, …
    public var contentType: String
    public var bytes: Int64
    /// Where the file is; it may vanish (a purge) between this answer and reading it.
    public var path: String

    public init(id: BlobID, contentType: String, bytes: Int64, path: String) {
        self.id = id
        self.contentType = contentType
        self.bytes = bytes
        self.path = path
    }
}
