/// Who an author shares Status posts with (the privacy setting), and, snapshotted onto each post
/// at posting time, who that post was shared with.
public struct Audience: Hashable, Sendable {
    /// How the list is read.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// All mutual contacts.
        case contacts
        /// All mutual contacts except those in the list.
        case contactsExcept = "contacts_except"
        /// Only the mutual contacts in the list.
        case onlyShareWith = "only_share_with"
    }

    /// How ``list`` is read.
    public var mode: Mode
    /// The users excepted or chosen, sorted, without duplicates; empty for ``Mode/contacts``.
    public private(set) var list: [UserID]

    /// An audience; `list` is sorted and deduplicated, and ignored for `.contacts`.
    public init(mode: Mode, list: [UserID] = []) {
        self.mode = mode
        self.list = mode == .contacts ? [] : Array(Set(list)).sorted()
    }

    /// All mutual contacts: the default setting.
    public static let contacts = Audience(mode: .contacts)

    /// Whether the audience lets `viewer` in. Mutual contacts and blocks are checked apart
    /// (``Visibility``); this is only the author's choice.
    public func admits(_ viewer: UserID) -> Bool {
        switch mode {
        case .contacts: return true
        case .contactsExcept: return !contains(viewer)
        case .onlyShareWith: return contains(viewer)
        }
    }

    private func contains(_ viewer: UserID) -> Bool {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < viewer { low = mid + 1 } else { high = mid }
        }
        return low < list.count && list[low] == viewer
    }
}

/// The one visibility rule of DESIGN.md, written once: author A's post is visible to viewer V
/// only if A and V have each other as contacts, neither has blocked the other, the post's
/// audience snapshot admits V, it is live (not deleted or taken down) and `now` is between its
/// creation and its expiry (a post is not seen before it was posted, when a past moment is asked). V never sees their own posts in a feed.
public enum Visibility {
    /// Everything the rule looks at, gathered by whoever evaluates it.
    public struct Facts: Sendable {
        /// A has V in their contacts.
        public var authorHasViewer: Bool
        /// V has A in their contacts.
        public var viewerHasAuthor: Bool
        /// A blocked V or V blocked A.
        public var blockedEitherWay: Bool

        public init(authorHasViewer: Bool, viewerHasAuthor: Bool, blockedEitherWay: Bool) {
            self.authorHasViewer = authorHasViewer
            self.viewerHasAuthor = viewerHasAuthor
            self.blockedEitherWay = blockedEitherWay
        }
    }

    /// Whether `viewer` may see `post` at `now`.
    public static func permits(viewer: UserID, post: Post, facts: Facts, at now: Timestamp) -> Bool {
        viewer != post.author
            && post.state == .live
            && post.createdAt <= now && now < post.expiresAt
            && facts.authorHasViewer && facts.viewerHasAuthor && !facts.blockedEitherWay
            && post.audience.admits(viewer)
    }
}
