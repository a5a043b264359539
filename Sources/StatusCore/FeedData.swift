/// What the store hands the feed: everything the visibility rule and the feed order look at,
/// either all at once (``FeedWorld``) or as the changes since a version (``FeedChanges``).
/// The feed module keeps it in memory and answers each viewer's feed from it.

/// A post as the feed knows it: the stored post and its position in posting order. A class, so
/// that every feed showing the post shares it instead of copying it.
public final class FeedPost: Hashable, Sendable {
    /// Posting order (increasing).
    public let seq: Int64
    public let post: Post

    public init(seq: Int64, post: Post) {
        self.seq = seq
        self.post = post
    }

    public static func == (a: FeedPost, b: FeedPost) -> Bool { a === b || (a.seq == b.seq && a.post == b.post) }
    public func hash(into hasher: inout Hasher) { hasher.combine(seq) }
}

/// A user's own lists, as they stand.
public struct FeedUserRecord: Hashable, Sendable {
    public var id: UserID
    /// The user's address book (directed).
    public var contacts: [UserID]
    /// Whom the user blocked.
    public var blocked: [UserID]

    public init(id: UserID, contacts: [UserID], blocked: [UserID]) {
        self.id = id
        self.contacts = contacts
        self.blocked = blocked
    }
}

/// The whole state the feed reads, at one version of the store.
public struct FeedWorld: Sendable {
    /// The store's change-log position this state includes.
    public var version: Int64
    /// Every user, with their contacts and blocks.
    public var users: [FeedUserRecord]
    /// Every live post not yet purged (expired ones included: expiry is decided at read time).
    public var posts: [FeedPost]
    /// Which viewer saw which post (by `seq`), for the posts above.
    public var views: [(viewer: UserID, seq: Int64)]
    /// Which viewer muted which author.
    public var mutes: [(viewer: UserID, author: UserID)]

    public init(version: Int64, users: [FeedUserRecord], posts: [FeedPost],
                views: [(viewer: UserID, seq: Int64)], mutes: [(viewer: UserID, author: UserID)]) {
        self.version = version
        self.users = users
        self.posts = posts
        self.views = views
        self.mutes = mutes
    }
}

/// One change to what the feed reads, carrying the new state (not a diff), so applying it twice
/// is harmless.
public enum FeedChange: Hashable, Sendable {
    /// A user was added or their contacts or blocks changed; these are their lists now.
    case user(FeedUserRecord)
    /// A post was published or changed (taken down, deleted, held, released). `post` is its
    /// state now, or nil when it is gone or can no longer be served.
    case post(seq: Int64, FeedPost?)
    /// `viewer` saw the post `seq`.
    case view(viewer: UserID, seq: Int64)
    /// `viewer` muted or unmuted `author`.
    case mute(viewer: UserID, author: UserID, muted: Bool)
    /// A purge at `cutoff` deleted every post expired by then that is not held.
    case purged(cutoff: Timestamp)
}

/// What changed since the version a reader holds.
public enum FeedChanges: Sendable {
    /// The changes after the reader's version, oldest first, up to `version`.
    case changes(version: Int64, [FeedChange])
    /// The log no longer reaches back to the reader's version (or there were too many changes
    /// to be worth replaying): here is the whole state.
    case reload(FeedWorld)
}

/// One of an author's own live posts, with how many saw it.
public struct OwnStatus: Hashable, Sendable {
    public var post: Post
    /// Viewers so far, counting only viewers whose read receipts are on; nil when the author's
    /// own read receipts are off (which hides views both ways).
    public var views: Int?

    public init(post: Post, views: Int?) {
        self.post = post
        self.views = views
    }
}
