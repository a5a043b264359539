import Foundation
import StatusEngine
import StatusStore
import Testing

/// The feed through the engine and a real SQLite store, both ways of answering (the in-memory
/// index kept up by the change log, and a read per request), against the brute-force reference,
/// while users, posts, views, mutes, moderation and purges change the world between answers.
@Suite struct EngineFeedPropertyTests {
    /// A store in a temporary directory, and two engines over it.
    struct Rig {
        let directory: String
        let store: SQLiteStatusStore
        let indexed: Engine
        let perRequest: Engine

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-feed-\(UUID().uuidString)").path
            var configuration = EngineConfiguration.default
            configuration.storage.synchronous = .normal
            store = try SQLiteStatusStore(directory: directory, configuration: configuration.storage, durableFiles: false)
            indexed = Engine(configuration: configuration, store: store, feedMode: .index)
            perRequest = Engine(configuration: configuration, store: store, feedMode: .perRequest)
        }
    }

    func update(_ model: Model, _ user: UserID) -> UserUpdate {
        UserUpdate(id: user, contacts: (model.contacts[user] ?? []).sorted(), blocked: (model.blocked[user] ?? []).sorted(),
                   privacy: model.privacy[user] ?? .contacts)
    }

    func publish(_ rig: Rig, _ model: inout Model, _ ids: inout SplitMix64, by author: UserID, at time: Timestamp) async throws {
        let id = PostID(using: &ids)
        let stored = try await rig.store.publish(NewPost(
            id: id, author: author, kind: .text, createdAt: time, text: TextContent(text: "hi", background: "#000000", font: 0),
            files: [BlobUpload(role: .display, contentType: "image/jpeg", content: .bytes(Array("d\(id)".utf8))),
                    BlobUpload(role: .thumb, contentType: "image/jpeg", content: .bytes(Array("t\(id)".utf8)))]))
        #expect(stored.audience == (model.privacy[author] ?? .contacts))
        let seq = (model.posts.keys.max() ?? 0) + 1
        model.posts[seq] = stored
    }

    func check(_ rig: Rig, _ model: Model, at now: Timestamp, _ label: String) async throws -> Int {
        var compared = 0
        for viewer in model.users {
            let expected = model.expectedFeed(viewer, at: now)
            let viaIndex = Plain(try await rig.indexed.feed(for: viewer, at: now))
            let viaRequest = Plain(try await rig.perRequest.feed(for: viewer, at: now))
            #expect(viaIndex == expected, "\(label), viewer \(viewer), at \(now) (index)")
            #expect(viaRequest == expected, "\(label), viewer \(viewer), at \(now) (per request)")
            compared += 2
        }
        return compared
    }

    @Test func bothWaysAgreeWithBruteForceWhileTheWorldChanges() async throws {
        var maker = WorldMaker(seed: 9)
        var compared = 0
        for world in 0..<10 {
            let rig = try Rig()
            defer { try? FileManager.default.removeItem(atPath: rig.directory) }
            var model = maker.people(count: Int.random(in: 3...9, using: &maker.random))
            var ids = SplitMix64(seed: maker.random.next())
            try await rig.store.upsertUsers(model.users.map { update(model, $0) })
            for step in 0..<60 {
                let user = maker.pick(model.users)
                let time = maker.start + Int64.random(in: -26 * 3_600...2 * 3_600, using: &maker.random)
                let live = model.posts.filter { $0.value.state == .live }
                switch Int.random(in: 0..<12, using: &maker.random) {
                case 0, 1, 2:
                    try await publish(rig, &model, &ids, by: user, at: time)
                case 3:
                    model.privacy[user] = maker.audience(model.users, for: user)
                    try await rig.store.upsertUsers([update(model, user)])
                case 4:
                    let other = maker.pick(model.users)
                    guard other != user else { continue }
                    if model.contacts[user, default: []].remove(other) == nil { model.contacts[user]!.insert(other) }
                    try await rig.store.upsertUsers([update(model, user)])
                case 5:
                    let other = maker.pick(model.users)
                    guard other != user else { continue }
                    if model.blocked[user, default: []].remove(other) == nil { model.blocked[user]!.insert(other) }
                    try await rig.store.upsertUsers([update(model, user)])
                case 6, 7:
                    // A view is recorded only when the rule allows it at that moment.
                    guard let (seq, post) = model.posts.randomElement(using: &maker.random) else { continue }
                    let at = post.createdAt + Int64.random(in: -600...86_400, using: &maker.random)
                    if model.maySee(user, post, at: at) {
                        _ = try await rig.store.recordView(post: post.id, viewer: user, at: at)
                        model.views.insert([user.rawValue, String(seq)])
                    } else {
                        await #expect(throws: StoreError.self) { try await rig.store.recordView(post: post.id, viewer: user, at: at) }
                    }
                case 8:
                    let author = maker.pick(model.users)
                    let muted = !model.muted(user, author)
                    try await rig.store.setMuted(viewer: user, author: author, muted: muted)
                    if muted { model.mutes.insert([user.rawValue, author.rawValue]) } else { model.mutes.remove([user.rawValue, author.rawValue]) }
                case 9:
                    guard let (seq, post) = live.randomElement(using: &maker.random) else { continue }
                    let hold = maker.chance(0.3)
                    _ = try await rig.store.takedown(post: post.id, reason: "test", moderator: "mod", hold: hold, at: time)
                    model.posts[seq]!.state = .takenDown
                    model.posts[seq]!.held = post.held || hold
                case 10:
                    guard let (seq, post) = live.randomElement(using: &maker.random) else { continue }
                    if maker.chance(0.5) {
                        if !post.held {
                            _ = try await rig.store.hold(post: post.id, reason: nil, moderator: "mod", at: time)
                            model.posts[seq]!.held = true
                        }
                    } else {
                        try await rig.store.deleteByAuthor(post: post.id, author: post.author, at: time)
                        if post.held { model.posts[seq]!.state = .deleted } else { model.posts[seq] = nil }
                    }
                default:
                    let cutoff = maker.start + Int64.random(in: -4 * 3_600...3_600, using: &maker.random)
                    _ = try await rig.store.purge(at: cutoff, batchSize: 3, dryRun: false, progress: nil)
                    model.posts = model.posts.filter { _, post in post.held || (post.state == .live && post.expiresAt > cutoff) }
                }
                // The store deletes a removed post's views with it (and may reuse its seq).
                model.views = model.views.filter { model.posts[Int64($0[1])!] != nil }
                if step % 6 == 5 {
                    for now in clocks(model, &maker) {
                        compared += try await check(rig, model, at: now, "world \(world), step \(step)")
                    }
                }
            }
            #expect(try await rig.store.integrityCheck().isEmpty)
        }
        #expect(compared > 2_000)
    }

    @Test func anIndexCatchesUpFromAnyEarlierVersion() async throws {
        let rig = try Rig()
        defer { try? FileManager.default.removeItem(atPath: rig.directory) }
        var maker = WorldMaker(seed: 3)
        var model = maker.people(count: 6)
        var ids = SplitMix64(seed: 4)
        try await rig.store.upsertUsers(model.users.map { update(model, $0) })
        // A reader with nothing loads the whole state.
        guard case .reload(let first) = try await rig.store.feedChanges(after: 0) else {
            Issue.record("version 0 must reload")
            return
        }
        var behind = FeedIndex(first)
        for user in model.users { try await publish(rig, &model, &ids, by: user, at: maker.start) }
        let viewer = model.users[0]
        for (seq, post) in model.posts where model.maySee(viewer, post, at: maker.start) {
            _ = try await rig.store.recordView(post: post.id, viewer: viewer, at: maker.start)
            model.views.insert([viewer.rawValue, String(seq)])
        }
        // Nothing new after the current version.
        let current = try await rig.store.feedWorld().version
        guard case .changes(let version, let list) = try await rig.store.feedChanges(after: current) else {
            Issue.record("the current version must give changes")
            return
        }
        #expect(version == current && list.isEmpty)
        // The index left behind catches up to the same feeds as the reference.
        behind.apply(try await rig.store.feedChanges(after: behind.version))
        #expect(behind.version == current)
        for user in model.users {
            #expect(behind.feed(for: user, at: maker.start).map(Plain.init) == model.expectedFeed(user, at: maker.start))
        }
    }
}
