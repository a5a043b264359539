import StatusCore
import StatusFeed

/// The tests' own picture of the world, kept plainly (dictionaries of sets), and the feed
/// computed from it by brute force: every post checked against the rule as DESIGN.md states it.
struct Model {
    var users: [UserID] = []
    var contacts: [UserID: Set<UserID>] = [:]
    var blocked: [UserID: Set<UserID>] = [:]
    var privacy: [UserID: Audience] = [:]
    /// Every post not purged, by seq.
    var posts: [Int64: Post] = [:]
    var views: Set<[String]> = []
    var mutes: Set<[String]> = []

    func seen(_ viewer: UserID, _ seq: Int64) -> Bool { views.contains([viewer.rawValue, String(seq)]) }
    func muted(_ viewer: UserID, _ author: UserID) -> Bool { mutes.contains([viewer.rawValue, author.rawValue]) }

    /// The rule, written out: mutual contacts, no block either way, the post's own audience, live,
    /// posted by `now` and not expired at `now`, and not the viewer's own.
    func maySee(_ viewer: UserID, _ post: Post, at now: Timestamp) -> Bool {
        if post.author == viewer { return false }
        if post.state != .live { return false }
        if now.seconds < post.createdAt.seconds { return false }
        if now.seconds >= post.createdAt.seconds + 86_400 { return false }
        if !(contacts[post.author] ?? []).contains(viewer) { return false }
        if !(contacts[viewer] ?? []).contains(post.author) { return false }
        if (blocked[post.author] ?? []).contains(viewer) { return false }
        if (blocked[viewer] ?? []).contains(post.author) { return false }
        switch post.audience.mode {
        case .contacts: return true
        case .contactsExcept: return !post.audience.list.contains(viewer)
        case .onlyShareWith: return post.audience.list.contains(viewer)
        }
    }

    /// The expected feed, as plain values.
    func expectedFeed(_ viewer: UserID, at now: Timestamp) -> Plain {
        var byAuthor: [UserID: [(seq: Int64, post: Post)]] = [:]
        for (seq, post) in posts where maySee(viewer, post, at: now) {
            byAuthor[post.author, default: []].append((seq, post))
        }
        var groups: [(group: Plain.Group, time: Int64, seq: Int64)] = []
        for (author, list) in byAuthor {
            let ordered = list.sorted { $0.seq < $1.seq }
            let seenFlags = ordered.map { seen(viewer, $0.seq) }
            let section: String
            if muted(viewer, author) {
                section = "muted"
            } else if seenFlags.contains(false) {
                section = "recent"
            } else {
                section = "viewed"
            }
            var first = 0
            for (i, flag) in seenFlags.enumerated() where !flag { first = i; break }
            var newestTime = Int64.min, newestSeq = Int64.min
            for item in ordered {
                if item.post.createdAt.seconds > newestTime
                    || (item.post.createdAt.seconds == newestTime && item.seq > newestSeq) {
                    newestTime = item.post.createdAt.seconds
                    newestSeq = item.seq
                }
            }
            groups.append((Plain.Group(author: author.rawValue, section: section, posts: ordered.map(\.post.id.rawValue),
                                       seen: seenFlags, firstUnseen: first), newestTime, newestSeq))
        }
        groups.sort { a, b in
            if a.time != b.time { return a.time > b.time }
            if a.seq != b.seq { return a.seq > b.seq }
            return a.group.author < b.group.author
        }
        let recent = groups.filter { $0.group.section == "recent" }.map(\.group)
        let viewed = groups.filter { $0.group.section == "viewed" }.map(\.group)
        let muted = groups.filter { $0.group.section == "muted" }.map(\.group)
        return Plain(items: recent + viewed, muted: muted)
    }
}

/// A feed as plain values, for comparing.
struct Plain: Equatable, CustomStringConvertible {
    struct Group: Equatable {
        var author: String
        var section: String
        var posts: [String]
        var seen: [Bool]
        var firstUnseen: Int
    }

    var items: [Group]
    var muted: [Group]

    init(items: [Group], muted: [Group]) {
        self.items = items
        self.muted = muted
    }

    init(_ feed: Feed) {
        func plain(_ group: FeedGroup) -> Group {
            Group(author: group.author.rawValue, section: group.section.rawValue, posts: group.entries.map(\.post.id.rawValue),
                  seen: group.entries.map(\.seen), firstUnseen: group.firstUnseen)
        }
        items = feed.groups.map(plain)
        muted = feed.muted.map(plain)
    }

    var description: String {
        func line(_ g: Group) -> String { "\(g.author)[\(g.section) \(g.firstUnseen)] \(zip(g.posts, g.seen).map { "\($0)\($1 ? "*" : "")" })" }
        return "items: " + items.map(line).joined(separator: "; ") + " | muted: " + muted.map(line).joined(separator: "; ")
    }
}

/// Random worlds: small populations with dense, asymmetric contact graphs, blocks, every
/// audience mode, posts spread around the clock, views and mutes.
struct WorldMaker {
    var random: SplitMix64
    let start = Timestamp(seconds: 1_795_000_000)

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    mutating func pick<T>(_ list: [T]) -> T { list[Int.random(in: 0..<list.count, using: &random)] }
    mutating func subset(_ list: [UserID], _ p: Double) -> [UserID] { list.filter { _ in chance(p) } }

    /// A privacy setting for `owner`, naming others only.
    mutating func audience(_ users: [UserID], for owner: UserID) -> Audience {
        let others = users.filter { $0 != owner }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .contacts
        case 1: return Audience(mode: .contactsExcept, list: subset(others, 0.3))
        default: return Audience(mode: .onlyShareWith, list: subset(others, 0.5))
        }
    }

    /// Users with contacts (mostly mutual), a few blocks and a privacy setting.
    mutating func people(count: Int) -> Model {
        var model = Model()
        model.users = (0..<count).map { UserID("u\($0)") }
        let density = Double.random(in: 0.2...0.8, using: &random)
        for a in model.users {
            for b in model.users where a < b && chance(density) {
                // Mostly mutual; sometimes one-way.
                if chance(0.85) {
                    model.contacts[a, default: []].insert(b)
                    model.contacts[b, default: []].insert(a)
                } else if chance(0.5) {
                    model.contacts[a, default: []].insert(b)
                } else {
                    model.contacts[b, default: []].insert(a)
                }
            }
            for b in model.users where a != b && chance(0.05) { model.blocked[a, default: []].insert(b) }
            model.privacy[a] = audience(model.users, for: a)
        }
        return model
    }

    /// A post by `author` at `time`, with the author's privacy as its snapshot.
    func post(_ id: PostID, by author: UserID, at time: Timestamp, in model: Model) -> Post {
        Post(id: id, author: author, kind: .text, createdAt: time, text: TextContent(text: "hi", background: "#000000", font: 0),
             audience: model.privacy[author] ?? .contacts)
    }
}
