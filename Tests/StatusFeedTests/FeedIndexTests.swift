import StatusCore
import StatusFeed
import Testing

extension Model {
    /// What the store would hand the feed: live posts only, lists as they stand.
    func world(version: Int64) -> FeedWorld {
        FeedWorld(
            version: version,
            users: users.map { FeedUserRecord(id: $0, contacts: (contacts[$0] ?? []).sorted(), blocked: (blocked[$0] ?? []).sorted()) },
            posts: posts.filter { $0.value.state == .live }.map { FeedPost(seq: $0.key, post: $0.value) },
            views: views.compactMap { pair in Int64(pair[1]).map { (viewer: UserID(pair[0]), seq: $0) } },
            mutes: mutes.map { (viewer: UserID($0[0]), author: UserID($0[1])) })
    }

    func record(_ user: UserID) -> FeedUserRecord {
        FeedUserRecord(id: user, contacts: (contacts[user] ?? []).sorted(), blocked: (blocked[user] ?? []).sorted())
    }
}

/// Builds a random world with posts, views and mutes; returns the model and the next seq.
func randomWorld(_ maker: inout WorldMaker) -> (Model, Int64) {
    var model = maker.people(count: Int.random(in: 2...14, using: &maker.random))
    var ids = SplitMix64(seed: maker.random.next())
    var seq: Int64 = 1
    for _ in 0..<Int.random(in: 0...40, using: &maker.random) {
        let author = maker.pick(model.users)
        // Posted from 30 hours before the start to 6 hours after, sometimes several at one second.
        let time = maker.start + Int64.random(in: -30 * 3_600...6 * 3_600, using: &maker.random) / (maker.chance(0.2) ? 3_600 : 1)
        var post = maker.post(PostID(using: &ids), by: author, at: time, in: model)
        if maker.chance(0.1) { post.state = maker.chance(0.5) ? .takenDown : .deleted }
        post.held = maker.chance(0.1)
        model.posts[seq] = post
        seq += 1
        if maker.chance(0.2) { model.privacy[author] = maker.audience(model.users, for: author) }
    }
    for viewer in model.users {
        for (s, post) in model.posts where post.author != viewer && maker.chance(0.4) {
            model.views.insert([viewer.rawValue, String(s)])
        }
        for author in model.users where author != viewer && maker.chance(0.15) {
            model.mutes.insert([viewer.rawValue, author.rawValue])
        }
    }
    return (model, seq)
}

/// Moments around the posts: the start, a random one, and exact expiry boundaries.
func clocks(_ model: Model, _ maker: inout WorldMaker) -> [Timestamp] {
    var times = [maker.start, maker.start + Int64.random(in: -20 * 3_600...20 * 3_600, using: &maker.random)]
    if !model.posts.isEmpty {
        let post = maker.pick(Array(model.posts.values))
        times += [post.expiresAt + -1, post.expiresAt, post.createdAt, post.createdAt + -1]
    }
    return times
}

@Suite struct FeedIndexPropertyTests {
    @Test func theIndexAgreesWithBruteForceOnThousandsOfRandomWorlds() {
        var maker = WorldMaker(seed: 2026)
        var compared = 0
        for world in 0..<500 {
            let (model, _) = randomWorld(&maker)
            let index = FeedIndex(model.world(version: 1))
            for viewer in model.users {
                for now in clocks(model, &maker) {
                    let expected = model.expectedFeed(viewer, at: now)
                    let actual = index.feed(for: viewer, at: now).map(Plain.init)
                    #expect(actual == expected, "world \(world), viewer \(viewer), at \(now)")
                    compared += 1
                    if actual != expected { return }
                }
            }
        }
        #expect(compared > 10_000)
    }

    @Test func anIndexKeptUpByChangesAgreesWithBruteForceAfterEveryChange() {
        var maker = WorldMaker(seed: 77)
        var compared = 0
        for world in 0..<150 {
            var (model, seq) = randomWorld(&maker)
            var ids = SplitMix64(seed: maker.random.next())
            var version: Int64 = 1
            var index = FeedIndex(model.world(version: version))
            for step in 0..<30 {
                var changes: [FeedChange] = []
                let user = maker.pick(model.users)
                switch Int.random(in: 0..<9, using: &maker.random) {
                case 0, 1:
                    let time = maker.start + Int64.random(in: -24 * 3_600...3_600, using: &maker.random)
                    let post = maker.post(PostID(using: &ids), by: user, at: time, in: model)
                    model.posts[seq] = post
                    changes.append(.post(seq: seq, FeedPost(seq: seq, post: post)))
                    seq += 1
                case 2:
                    guard let (s, post) = model.posts.randomElement(using: &maker.random) else { continue }
                    var changed = post
                    if maker.chance(0.5) || post.state != .live {
                        changed.state = maker.chance(0.5) ? .takenDown : .deleted
                        changes.append(.post(seq: s, nil))
                    } else {
                        // A hold or release: the post stays, and so do its views.
                        changed.held.toggle()
                        changes.append(.post(seq: s, FeedPost(seq: s, post: changed)))
                    }
                    model.posts[s] = changed
                case 3:
                    let other = maker.pick(model.users)
                    if model.contacts[user, default: []].contains(other) {
                        model.contacts[user]!.remove(other)
                    } else if other != user {
                        model.contacts[user, default: []].insert(other)
                    }
                    changes.append(.user(model.record(user)))
                case 4:
                    let other = maker.pick(model.users)
                    if model.blocked[user, default: []].contains(other) {
                        model.blocked[user]!.remove(other)
                    } else if other != user {
                        model.blocked[user, default: []].insert(other)
                    }
                    changes.append(.user(model.record(user)))
                case 5:
                    // Privacy changes only the posts that follow.
                    model.privacy[user] = maker.audience(model.users, for: user)
                case 6:
                    guard let (s, _) = model.posts.randomElement(using: &maker.random) else { continue }
                    model.views.insert([user.rawValue, String(s)])
                    changes.append(.view(viewer: user, seq: s))
                case 7:
                    let author = maker.pick(model.users)
                    let muted = !model.muted(user, author)
                    if muted { model.mutes.insert([user.rawValue, author.rawValue]) } else { model.mutes.remove([user.rawValue, author.rawValue]) }
                    changes.append(.mute(viewer: user, author: author, muted: muted))
                default:
                    // A purge: expired by the cutoff and not held, or removed and not held.
                    let cutoff = maker.start + Int64.random(in: -6 * 3_600...3_600, using: &maker.random)
                    model.posts = model.posts.filter { _, post in post.held || (post.state == .live && post.expiresAt > cutoff) }
                    changes.append(.purged(cutoff: cutoff))
                }
                version += 1
                index.apply(.changes(version: version, changes))
                // A stale batch from a slower reader changes nothing.
                index.apply(.changes(version: version - 1, [.purged(cutoff: maker.start + 99 * 3_600)]))
                for viewer in model.users {
                    let now = maker.start + Int64.random(in: -3_600...3_600, using: &maker.random)
                    let expected = model.expectedFeed(viewer, at: now)
                    let actual = index.feed(for: viewer, at: now).map(Plain.init)
                    #expect(actual == expected, "world \(world), step \(step), viewer \(viewer), at \(now)")
                    compared += 1
                    if actual != expected { return }
                }
            }
            // And a fresh load of the final state agrees with the index kept up by changes.
            let fresh = FeedIndex(model.world(version: version))
            for viewer in model.users {
                #expect(fresh.feed(for: viewer, at: maker.start) == index.feed(for: viewer, at: maker.start))
            }
        }
        #expect(compared > 10_000)
    }
}

@Suite struct FeedOrderTests {
    let start = Timestamp(seconds: 1_795_000_000)

    func mutual(_ ids: [String]) -> Model {
        var model = Model()
        model.users = ids.map(UserID.init)
        for a in model.users { model.contacts[a] = Set(model.users.filter { $0 != a }) }
        return model
    }

    mutating func add(_ model: inout Model, _ seq: Int64, by author: String, at offset: Int64) {
        model.posts[seq] = Post(id: PostID(using: &ids), author: UserID(author), kind: .text, createdAt: start + offset,
                                text: TextContent(text: "hi", background: "#000000", font: 0))
    }

    var ids = SplitMix64(seed: 5)

    @Test mutating func recentGroupsComeFirstThenViewedNewestFirstAndMutedApart() {
        var model = mutual(["me", "amal", "badr", "dina", "eman"])
        add(&model, 1, by: "amal", at: -600)
        add(&model, 2, by: "amal", at: -60)
        add(&model, 3, by: "badr", at: -300)
        add(&model, 4, by: "dina", at: -30)
        add(&model, 5, by: "eman", at: -10)
        model.views = [["me", "1"], ["me", "4"]]
        model.mutes = [["me", "eman"]]
        let feed = FeedIndex(model.world(version: 1)).feed(for: UserID("me"), at: start)!
        #expect(feed.groups.map(\.author.rawValue) == ["amal", "badr", "dina"])
        #expect(feed.groups.map(\.section) == [.recent, .recent, .viewed])
        #expect(feed.groups[0].firstUnseen == 1)
        #expect(feed.groups[0].entries.map(\.seq) == [1, 2])
        #expect(feed.groups[2].firstUnseen == 0)
        #expect(feed.muted.map(\.author.rawValue) == ["eman"])
        #expect(Plain(feed) == model.expectedFeed(UserID("me"), at: start))
    }

    @Test mutating func aPostIsShownFromItsCreationUntilOneSecondBeforeItsExpiry() {
        var model = mutual(["me", "amal"])
        add(&model, 1, by: "amal", at: 0)
        let index = FeedIndex(model.world(version: 1))
        let me = UserID("me")
        #expect(index.feed(for: me, at: start + -1)!.groups.isEmpty)
        #expect(index.feed(for: me, at: start)!.groups.count == 1)
        #expect(index.feed(for: me, at: start + 86_399)!.groups.count == 1)
        #expect(index.feed(for: me, at: start + 86_400)!.groups.isEmpty)
    }

    @Test mutating func ownPostsOneWayContactsBlocksAndUnknownViewersAreOut() {
        var model = mutual(["me", "amal", "badr"])
        model.contacts[UserID("badr")] = []      // badr does not have me
        model.blocked[UserID("amal")] = [UserID("me")]
        add(&model, 1, by: "me", at: -5)
        add(&model, 2, by: "amal", at: -5)
        add(&model, 3, by: "badr", at: -5)
        let index = FeedIndex(model.world(version: 1))
        #expect(index.feed(for: UserID("me"), at: start)!.groups.isEmpty)
        #expect(index.feed(for: UserID("nobody"), at: start) == nil)
        #expect(index.knows(UserID("amal")))
    }
}
