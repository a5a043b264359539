import StatusCore

/// One post in a feed, with whether the viewer has seen it.
public struct FeedEntry: Hashable, Sendable {
    public let item: FeedPost
    public var seen: Bool

    public init(_ item: FeedPost, seen: Bool) {
        self.item = item
        self.seen = seen
    }

    public init(seq: Int64, post: Post, seen: Bool) {
        self.init(FeedPost(seq: seq, post: post), seen: seen)
    }

    /// Posting order in the store (increasing).
    public var seq: Int64 { item.seq }
    public var post: Post { item.post }
}

/// One author's live posts as a viewer taps through them.
public struct FeedGroup: Hashable, Sendable {
    /// Where the group sits.
    public enum Section: String, Sendable, CaseIterable {
        /// At least one post not seen yet.
        case recent
        /// Every post seen.
        case viewed
        /// The viewer muted the author (kept apart, whatever was seen).
        case muted
    }

    public var author: UserID
    public var section: Section
    /// In posting order.
    public var entries: [FeedEntry]
    /// Where tapping the group starts: the first post not seen, or 0 when all are seen.
    public var firstUnseen: Int

    public init(author: UserID, section: Section, entries: [FeedEntry]) {
        self.author = author
        self.section = section
        self.entries = entries
        self.firstUnseen = entries.firstIndex { !$0.seen } ?? 0
    }

    /// The newest post (latest creation time, then latest in posting order): groups are ordered
    /// by it, newest first.
    public var newest: FeedEntry? {
        entries.max { a, b in (a.post.createdAt, a.seq) < (b.post.createdAt, b.seq) }
    }
}

/// A viewer's Status feed at a moment: the groups to tap through (`recent` ones first, then
/// `viewed` ones, each newest first) and the muted authors' groups apart.
public struct Feed: Hashable, Sendable {
    public var viewer: UserID
    public var at: Timestamp
    /// Tap-through order: every `recent` group, then every `viewed` group.
    public var groups: [FeedGroup]
    public var muted: [FeedGroup]

    public init(viewer: UserID, at: Timestamp, groups: [FeedGroup], muted: [FeedGroup]) {
        self.viewer = viewer
        self.at = at
        self.groups = groups
        self.muted = muted
    }

    /// Every post in the feed, muted ones included.
    public var postCount: Int { (groups + muted).reduce(0) { $0 + $1.entries.count } }
}

/// Puts the visible posts of a viewer's contacts into feed order. Pure: the caller has already
/// decided what the viewer may see (``FeedIndex``).
public enum FeedAssembler {
    /// One author's visible posts, in posting order.
    public struct AuthorPosts: Sendable {
        public var author: UserID
        public var entries: [FeedEntry]
        public var muted: Bool

        public init(author: UserID, entries: [FeedEntry], muted: Bool) {
            self.author = author
            self.entries = entries
            self.muted = muted
        }
    }

    /// Groups in feed order: recent (any unseen post) before viewed (all seen), muted apart; within
    /// each, newest post first, ties broken by the later posting order, then by author id.
    public static func assemble(viewer: UserID, at now: Timestamp, authors: [AuthorPosts]) -> Feed {
        typealias Keyed = (group: FeedGroup, time: Int64, seq: Int64)
        var recent: [Keyed] = [], viewed: [Keyed] = [], muted: [Keyed] = []
        for author in authors where !author.entries.isEmpty {
            var time = Int64.min, seq = Int64.min, unseen = false
            for entry in author.entries {
                let t = entry.item.post.createdAt.seconds
                if t > time || (t == time && entry.item.seq > seq) { (time, seq) = (t, entry.item.seq) }
                if !entry.seen { unseen = true }
            }
            let section: FeedGroup.Section = author.muted ? .muted : unseen ? .recent : .viewed
            let keyed = (FeedGroup(author: author.author, section: section, entries: author.entries), time, seq)
            switch section {
            case .recent: recent.append(keyed)
            case .viewed: viewed.append(keyed)
            case .muted: muted.append(keyed)
            }
        }
        func newestFirst(_ a: Keyed, _ b: Keyed) -> Bool {
            if a.time != b.time { return a.time > b.time }
            if a.seq != b.seq { return a.seq > b.seq }
            return a.group.author < b.group.author
        }
        recent.sort(by: newestFirst)
        viewed.sort(by: newestFirst)
        muted.sort(by: newestFirst)
        return Feed(viewer: viewer, at: now, groups: (recent + viewed).map(\.group), muted: muted.map(\.group))
    }
}
