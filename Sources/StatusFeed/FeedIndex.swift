import StatusCore

/// Everything a viewer's feed reads, in memory, at one version of the store: each user's
/// contacts and blocks, each author's live posts with who saw them, and mutes. Fed by the store
/// (``FeedWorld`` to start, ``FeedChanges`` to catch up); answers a feed with a few set lookups
/// per contact instead of a query. Pure and deterministic: time is a parameter.
///
/// What it may hold is only ever the store's state at ``version``: it never decides anything from
/// its own clock. Expiry is checked against the `now` of each request, and removals (takedown,
/// author delete, purge), contact and block changes arrive as changes, so a caller that catches up
/// before answering never serves an expired, removed or no-longer-permitted post.
///
/// ```swift
/// var index = FeedIndex(try await store.feedWorld())
/// index.apply(try await store.feedChanges(after: index.version))
/// let feed = index.feed(for: viewer, at: .now())
/// ```
public struct FeedIndex: Sendable {
    /// The store's change-log position this index includes.
    public private(set) var version: Int64 = 0

    /// Users are numbered in the order they are first met; sets hold numbers, not strings.
    private var slots: [UserID: Int32] = [:]
    private var users: [UserState] = []
    /// Whether each user has posts held: most contacts have none, and this skips them without
    /// touching their state (one byte each, contiguous).
    private var posting: [Bool] = []
    /// Which author each indexed post belongs to.
    private var authorOf: [Int64: Int32] = [:]

    private struct UserState: Sendable {
        var id: UserID
        /// Whether the store has this user (ids can be named as contacts before they exist).
        var known = false
        var contacts: Set<Int32> = []
        var blocked: Set<Int32> = []
        var muted: Set<Int32> = []
        /// The authors whose posts this user may see as far as contacts and blocks go: mutual
        /// contacts with no block either way. Sorted; kept up whenever either side changes, so a
        /// feed walks one contiguous array instead of probing every contact's sets.
        var sources: [Int32] = []
        /// Seqs of held posts this user saw: one table per viewer, probed once per post.
        var seen: Set<Int64> = []
        /// Own live posts, in posting order.
        var posts: [IndexedPost] = []
    }

    private struct IndexedPost: Sendable {
        /// Shared with every feed that shows the post.
        var item: FeedPost
        /// Who saw it, so their `seen` entries go when the post goes.
        var viewers: [Int32] = []
        /// What the rule reads of the post, kept inline so that the author's posts are checked
        /// from one contiguous array; only posts that pass touch `item`.
        let createdAt: Int64
        let expiresAt: Int64
        let audience: Audience

        init(_ item: FeedPost) {
            self.item = item
            createdAt = item.post.createdAt.seconds
            expiresAt = item.post.expiresAt.seconds
            audience = item.post.audience
        }
    }

    /// An empty index at version 0: the first ``apply(_:)`` of changes after 0 reloads it.
    public init() {}

    /// An index of the whole state.
    public init(_ world: FeedWorld) {
        load(world)
    }

    /// How many posts the index has (expired ones included, until a purge removes them).
    public var postCount: Int { authorOf.count }

    /// Whether the store has `user`.
    public func knows(_ user: UserID) -> Bool {
        guard let slot = slots[user] else { return false }
        return users[Int(slot)].known
    }

    // MARK: Feeding

    /// Brings the index to the changes' version. Changes no newer than the index are ignored, so
    /// callers racing to catch up can apply in any order.
    public mutating func apply(_ changes: FeedChanges) {
        switch changes {
        case .reload(let world):
            guard world.version >= version else { return }
            load(world)
        case .changes(let to, let list):
            guard to > version else { return }
            for change in list { apply(change) }
            version = to
        }
    }

    private mutating func load(_ world: FeedWorld) {
        slots = [:]
        users = []
        posting = []
        authorOf = [:]
        for user in world.users {
            let me = Int(slot(user.id))
            users[me].known = true
            users[me].contacts = Set(user.contacts.map { slot($0) })
            users[me].blocked = Set(user.blocked.map { slot($0) })
        }
        for me in users.indices { users[me].sources = sources(of: Int32(me)) }
        for record in world.posts.sorted(by: { $0.seq < $1.seq }) { insert(record) }
        for view in world.views { see(view.seq, by: view.viewer) }
        for mute in world.mutes { setMute(viewer: mute.viewer, author: mute.author, muted: true) }
        version = world.version
    }

    private mutating func apply(_ change: FeedChange) {
        switch change {
        case .user(let user):
            setUser(user)
        case .post(let seq, let record):
            guard let record, record.post.state == .live else {
                remove(seq)
                return
            }
            // The same post changed (a hold): keep who saw it. Otherwise a new post.
            if let author = authorOf[seq], let at = users[Int(author)].posts.firstIndex(where: { $0.item.seq == seq }),
               users[Int(author)].posts[at].item.post.id == record.post.id, record.post.author == users[Int(author)].id {
                let viewers = users[Int(author)].posts[at].viewers
                users[Int(author)].posts[at] = IndexedPost(record)
                users[Int(author)].posts[at].viewers = viewers
            } else {
                remove(seq)
                insert(record)
            }
        case .view(let viewer, let seq):
            see(seq, by: viewer)
        case .mute(let viewer, let author, let muted):
            setMute(viewer: viewer, author: author, muted: muted)
        case .purged(let cutoff):
            // What the purge deleted: expired by `cutoff` and not held.
            var gone: [Int64] = []
            for slot in users.indices where posting[slot] {
                for state in users[slot].posts where state.item.post.expiresAt <= cutoff && !state.item.post.held {
                    gone.append(state.item.seq)
                }
            }
            for seq in gone { remove(seq) }
        }
    }

    private mutating func slot(_ id: UserID) -> Int32 {
        if let slot = slots[id] { return slot }
        let slot = Int32(users.count)
        users.append(UserState(id: id))
        posting.append(false)
        slots[id] = slot
        return slot
    }

    private mutating func setUser(_ user: FeedUserRecord) {
        let me = slot(user.id)
        let contacts = Set(user.contacts.map { slot($0) })
        let blocked = Set(user.blocked.map { slot($0) })
        let others = users[Int(me)].contacts.union(contacts).union(users[Int(me)].blocked).union(blocked)
        users[Int(me)].known = true
        users[Int(me)].contacts = contacts
        users[Int(me)].blocked = blocked
        users[Int(me)].sources = sources(of: me)
        // Whether `me` is a source of each user whose relation to `me` may have changed.
        for other in others where other != me {
            let wanted = linked(other, me)
            var list = users[Int(other)].sources
            let at = Self.position(of: me, in: list)
            let present = at < list.count && list[at] == me
            if wanted && !present { list.insert(me, at: at) } else if !wanted && present { list.remove(at: at) } else { continue }
            users[Int(other)].sources = list
        }
    }

    /// Whether `viewer` may see `author`'s posts as far as contacts and blocks go.
    private func linked(_ viewer: Int32, _ author: Int32) -> Bool {
        viewer != author
            && users[Int(viewer)].contacts.contains(author) && users[Int(author)].contacts.contains(viewer)
            && !users[Int(viewer)].blocked.contains(author) && !users[Int(author)].blocked.contains(viewer)
    }

    private func sources(of viewer: Int32) -> [Int32] {
        users[Int(viewer)].contacts.filter { linked(viewer, $0) }.sorted()
    }

    /// Where `value` is or would go in the sorted `list`.
    private static func position(of value: Int32, in list: [Int32]) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func insert(_ record: FeedPost) {
        let author = slot(record.post.author)
        authorOf[record.seq] = author
        let posts = users[Int(author)].posts
        // Posting order: almost always appended at the end.
        var at = posts.count
        while at > 0 && posts[at - 1].item.seq > record.seq { at -= 1 }
        users[Int(author)].posts.insert(IndexedPost(record), at: at)
        posting[Int(author)] = true
    }

    private mutating func remove(_ seq: Int64) {
        guard let author = authorOf.removeValue(forKey: seq),
              let at = users[Int(author)].posts.firstIndex(where: { $0.item.seq == seq }) else { return }
        let removed = users[Int(author)].posts.remove(at: at)
        for viewer in removed.viewers { users[Int(viewer)].seen.remove(seq) }
        posting[Int(author)] = !users[Int(author)].posts.isEmpty
    }

    private mutating func see(_ seq: Int64, by viewer: UserID) {
        guard let author = authorOf[seq] else { return }
        let who = slot(viewer)
        let a = Int(author)
        guard let at = users[a].posts.firstIndex(where: { $0.item.seq == seq }),
              users[Int(who)].seen.insert(seq).inserted else { return }
        users[a].posts[at].viewers.append(who)
    }

    private mutating func setMute(viewer: UserID, author: UserID, muted: Bool) {
        let v = Int(slot(viewer)), a = slot(author)
        if muted { users[v].muted.insert(a) } else { users[v].muted.remove(a) }
    }

    // MARK: Answering

    /// `viewer`'s feed at `now`, or nil when the store has no such user. A post is in it exactly
    /// when ``Visibility/permits(viewer:post:facts:at:)`` says so.
    public func feed(for viewer: UserID, at now: Timestamp) -> Feed? {
        guard let me = slots[viewer], users[Int(me)].known else { return nil }
        let time = now.seconds
        var authors: [FeedAssembler.AuthorPosts] = []
        authors.reserveCapacity(users[Int(me)].sources.count / 2)
        // Sources are mutual contacts with no block either way, posts are live: what remains of
        // the rule is the time and the audience, read from the inline copies. Fields are read in
        // place (users[i].x): binding users[i] would copy and retain its sets.
        for source in users[Int(me)].sources where posting[Int(source)] {
            let a = Int(source)
            var entries: [FeedEntry] = []
            for i in users[a].posts.indices {
                guard users[a].posts[i].createdAt <= time, time < users[a].posts[i].expiresAt,
                      users[a].posts[i].audience.admits(viewer) else { continue }
                let item = users[a].posts[i].item
                assert(Visibility.permits(viewer: viewer, post: item.post, facts: Visibility.Facts(
                    authorHasViewer: true, viewerHasAuthor: true, blockedEitherWay: false), at: now))
                entries.append(FeedEntry(item, seen: users[Int(me)].seen.contains(item.seq)))
            }
            if !entries.isEmpty {
                authors.append(FeedAssembler.AuthorPosts(author: users[a].id, entries: entries,
                                                         muted: users[Int(me)].muted.contains(source)))
            }
        }
        return FeedAssembler.assemble(viewer: viewer, at: now, authors: authors)
    }
}
