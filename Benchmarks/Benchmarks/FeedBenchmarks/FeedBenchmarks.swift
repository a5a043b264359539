// Benchmarks for the per-viewer feed, the hot path.
//
//   cd Benchmarks && swift package benchmark --target FeedBenchmarks
//   make bench-feed
//
// Population (seeded once, then reused from FEED_BENCH_DIR, default
// $TMPDIR/status-feed-bench-10000-200-s1): `Engine.seedDemo` with 10,000 users, 200 contacts each
// on average (log-normal spread), 40% posting 1–5 posts over the last 24 hours, 30% of visible
// posts seen, 3% of contacts muted; SQLite in WAL mode on disk. Every iteration asks the feed of
// a random viewer (u1…u10000, SplitMix64) at the population's moment, warm:
//   - "feed: engine, index"       Engine.feed in its default mode: catch up with the store's change
//                                 log (one indexed read), then answer from the in-memory FeedIndex;
//   - "feed: engine, index, with a writer"  the same while another store keeps toggling a mute
//                                 (durable transactions back to back), so answers replay entries;
//   - "feed: engine, index, with ads"  Engine.feedWithAds: the feed, ad selection among 1,000
//                                 campaigns, the ads' cost taken from this process's budget leases
//                                 (leased from the store when short), served ads recorded in the
//                                 background;
//   - "ads part: store.adViewer", "ads part: store.grantBudget, one lease"  the ad path's store calls
//                                 alone (a feed leases budget only when its process holds too little);
//   - "feed: index alone"         FeedIndex.feed without the catch-up read;
//   - "feed: engine, per request" Engine.feed reading the viewer's neighbourhood from SQLite;
//   - "feed: full load of the index" store.feedWorld() and FeedIndex(world): a server's first feed;
//   - "feed: raw SQL floor"       the single SQL query that returns the same visible posts (mutual
//                                 contacts, blocks both ways, audience snapshot, expiry, seen flag),
//                                 every column of every row read, through GRDB's row cursor;
// and the growth of the index's cost, on in-memory worlds built for one viewer:
//   - "feed growth: contacts N"   N mutual contacts (50, 200, 1000, 5000), 40% posting 1–5;
//   - "feed growth: posts P"      200 contacts, 40% posting exactly P posts (1, 5, 20).

import Benchmark
import Foundation
import GRDB
import StatusEngine
import StatusStore

let populationUsers = 10_000
let populationContacts = 200
let moment = Timestamp(parsing: "2026-11-25T12:00:00Z")!

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .mallocCountTotal]
    let configuration = Benchmark.Configuration(metrics: metrics, warmupIterations: 200,
                                                maxDuration: .seconds(10), maxIterations: 20_000)

    Benchmark("feed: engine, index", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.engine.feed(for: fixture.nextViewer(), at: moment))
        }
    } setup: { () async throws -> FeedFixture in
        let fixture = try await Population.shared.fixture(mode: .index)
        try await fixture.engine.warmFeedIndex()
        return fixture
    }

    // The same while another connection keeps writing changes feeds read (a mute toggled, one
    // durable transaction after another): most answers first replay a few log entries.
    Benchmark("feed: engine, index, with a writer", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.engine.feed(for: fixture.nextViewer(), at: moment))
        }
    } setup: { () async throws -> FeedFixture in
        var fixture = try await Population.shared.fixture(mode: .index)
        try await fixture.engine.warmFeedIndex()
        fixture.writer = Writer(directory: fixture.directory)
        return fixture
    } teardown: {
        Writer.stopAll()
    }

    // Feed plus ads as the feed service gets it: the feed, then selection among 1,000 campaigns,
    // the ads' cost taken from the process's budget leases, their recording in the background.
    // Warm as a serving process is after its first minutes: the warm-up (3,000 feeds) gives most
    // campaigns that win auctions a budget lease, so feeds rarely wait for one (a lease granted
    // on a feed's path costs about one "ads part: store.grantBudget").
    Benchmark("feed: engine, index, with ads",
              configuration: .init(metrics: metrics, warmupIterations: 3_000, maxDuration: .seconds(10), maxIterations: 20_000)) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.engine.feedWithAds(for: fixture.nextViewer(), at: moment))
        }
    } setup: { () async throws -> FeedFixture in
        let fixture = try await Population.shared.fixture(mode: .index)
        try await Population.shared.loadAds(into: fixture.engine)
        try await fixture.engine.warmFeedIndex()
        return fixture
    }

    // The store calls of the ad path alone, for the breakdown: the viewer's ad state (profile,
    // hidden advertisers, the last day's served ads), and one budget lease granted (budgets
    // checked, the lease charged, committed without a sync on the serving writer).
    Benchmark("ads part: store.adViewer", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.engine.store.adViewer(fixture.nextViewer(), since: moment + -86_400))
        }
    } setup: { () async throws -> FeedFixture in
        let fixture = try await Population.shared.fixture(mode: .index)
        try await Population.shared.loadAds(into: fixture.engine)
        return fixture
    }

    Benchmark("ads part: store.grantBudget, one lease", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for n in benchmark.scaledIterations {
            let key = BudgetKey(campaign: CampaignID(rawValue: "camp\(n % 1_000)")!, day: AdServe.day(of: moment))
            blackHole(try await fixture.engine.store.grantBudget([BudgetRequest(key: key, wantedMicros: 1_000, minimumMicros: 1_000,
                                                                                dailyLimitMicros: .max)],
                                                                 holder: "bench", expiresAt: .max))
        }
    } setup: { () async throws -> FeedFixture in
        let fixture = try await Population.shared.fixture(mode: .index)
        try await Population.shared.loadAds(into: fixture.engine)
        return fixture
    } teardown: {
        _ = try await Population.shared.fixture(mode: .perRequest).engine.store.releaseBudget(holder: "bench", keys: nil)
    }

    Benchmark("feed: index alone", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(fixture.index!.feed(for: fixture.nextViewer(), at: moment))
        }
    } setup: { () async throws -> FeedFixture in
        var fixture = try await Population.shared.fixture(mode: .perRequest)
        fixture.index = FeedIndex(try await fixture.engine.store.feedWorld())
        return fixture
    }

    Benchmark("feed: engine, per request", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.engine.feed(for: fixture.nextViewer(), at: moment))
        }
    } setup: {
        try await Population.shared.fixture(mode: .perRequest)
    }

    Benchmark("feed: raw SQL floor", configuration: configuration) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try fixture.floor!.visiblePosts(viewer: fixture.nextViewer(), at: moment))
        }
    } setup: { () async throws -> FeedFixture in
        var fixture = try await Population.shared.fixture(mode: .perRequest)
        fixture.floor = try SQLFloor(path: fixture.directory + "/status.sqlite")
        return fixture
    }

    // The whole state read from SQLite and indexed, as a server does on its first feed.
    Benchmark("feed: full load of the index",
              configuration: .init(metrics: [.wallClock, .peakMemoryResidentDelta, .mallocCountTotal],
                                   warmupIterations: 1, maxDuration: .seconds(60), maxIterations: 5)) { (benchmark: Benchmark, fixture: FeedFixture) in
        for _ in benchmark.scaledIterations {
            blackHole(FeedIndex(try await fixture.engine.store.feedWorld()).postCount)
        }
    } setup: { () async throws -> FeedFixture in
        try await Population.shared.fixture(mode: .perRequest)
    }

    for contacts in [50, 200, 1_000, 5_000] {
        Benchmark("feed growth: contacts \(contacts)", configuration: configuration) { (benchmark: Benchmark, world: Neighbourhood) in
            for _ in benchmark.scaledIterations { blackHole(world.index.feed(for: world.viewer, at: moment)) }
        } setup: { () -> Neighbourhood in
            Neighbourhood(contacts: contacts, postsPerPoster: 1...5)
        }
    }
    for posts in [1, 5, 20] {
        Benchmark("feed growth: posts \(posts)", configuration: configuration) { (benchmark: Benchmark, world: Neighbourhood) in
            for _ in benchmark.scaledIterations { blackHole(world.index.feed(for: world.viewer, at: moment)) }
        } setup: { () -> Neighbourhood in
            Neighbourhood(contacts: 200, postsPerPoster: posts...posts)
        }
    }
}

/// An engine on the seeded population and a stream of random viewers.
struct FeedFixture: @unchecked Sendable {
    // @unchecked: each benchmark runs its iterations on one task at a time.
    let engine: Engine
    let directory: String
    var index: FeedIndex?
    var floor: SQLFloor?
    var writer: Writer?
    let random = RandomViewers()

    func nextViewer() -> UserID { random.next() }
}

final class RandomViewers: @unchecked Sendable {
    // @unchecked: used by one benchmark task at a time.
    private var generator = SplitMix64(seed: 7)
    func next() -> UserID { DemoPopulation.userID(Int(generator.next() % UInt64(populationUsers))) }
}

/// The seeded data directory, made once and reused.
actor Population {
    static let shared = Population()
    private var seeded: String?

    func directory() async throws -> String {
        if let seeded { return seeded }
        let base = ProcessInfo.processInfo.environment["FEED_BENCH_DIR"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("status-feed-bench-\(populationUsers)-\(populationContacts)-s1-v2").path
        let marker = base + "/seeded.json"
        if !FileManager.default.fileExists(atPath: marker) {
            try? FileManager.default.removeItem(atPath: base)
            var configuration = EngineConfiguration.default
            configuration.storage.synchronous = .normal
            let engine = try Engine.open(dataDirectory: base, configuration: configuration, randomSeed: 1,
                                         feedMode: .perRequest, durableFiles: false)
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures").path
            let started = Date()
            let summary = try await engine.seedDemo(.init(users: populationUsers, contacts: populationContacts, seed: 1),
                                                    fixtures: fixtures, at: moment)
            FileHandle.standardError.write(Data("seeded \(base) in \(Int(Date().timeIntervalSince(started))) s: \(summary.json.serialized)\n".utf8))
            try summary.json.serialized.write(toFile: marker, atomically: true, encoding: .utf8)
        }
        seeded = base
        return base
    }

    /// 1,000 campaigns of 300 advertisers with budgets no benchmark run exhausts, broad targeting,
    /// loaded once (the fixture photo as every creative's files).
    func loadAds(into engine: Engine) async throws {
        guard try await engine.store.storedInventory().campaigns.isEmpty else { return }
        let photo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/ads/latte.jpg")
        let bytes = Array(try Data(contentsOf: photo))
        var random = SplitMix64(seed: 5)
        let advertisers = (0..<300).map { Advertiser(id: AdvertiserID(rawValue: "adv\($0)")!, name: "Advertiser \($0)", chat: "shop\($0)") }
        var campaigns: [Campaign] = [], creatives: [CreativeUpload] = []
        for n in 0..<1_000 {
            let countries = ["EG", "SA", "AE", "MA", "BR", "IN", "ID", "NG", "DE", "GB", "MX", "TR"]
            let targeting = Targeting(countries: random.next() % 2 == 0 ? [] : [countries[Int(random.next() % 12)], countries[Int(random.next() % 12)]],
                                      ages: random.next() % 2 == 0 ? nil : 18...(30 + Int(random.next() % 40)))
            let id = CampaignID(rawValue: "camp\(n)")!
            campaigns.append(Campaign(id: id, advertiser: advertisers[n % 300].id, bidCPMMicros: Int64(500 + random.next() % 4_500) * 1_000,
                                      dailyBudgetMicros: 1_000_000_000_000, totalBudgetMicros: 1_000_000_000_000,
                                      start: moment + -86_400, end: moment + 30 * 86_400, targeting: targeting, pacing: .asap))
            creatives.append(CreativeUpload(
                creative: Creative(id: CreativeID(rawValue: "cr\(n)")!, campaign: id, media: "latte.jpg", headline: "Ad \(n)", callToAction: .message),
                kind: .image, media: MediaSummary(format: "jpeg", width: 72, height: 96),
                files: BlobRole.allCases.map { BlobUpload(role: $0, contentType: "image/jpeg", content: .bytes(bytes), width: 72, height: 96) }))
        }
        try await engine.store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
    }

    func fixture(mode: FeedMode) async throws -> FeedFixture {
        let directory = try await directory()
        let engine = try Engine.open(dataDirectory: directory, configuration: .default, feedMode: mode)
        return FeedFixture(engine: engine, directory: directory)
    }
}

/// Toggles one mute (u9999 mutes u9998, then not) through a store of its own, as fast as durable
/// transactions go, until stopped; leaves it unmuted.
final class Writer: @unchecked Sendable {
    // @unchecked: the statics are only touched under `lock`.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var running = false

    init(directory: String) {
        Self.lock.withLock { Self.running = true }
        Task.detached {
            let store = try SQLiteStatusStore(directory: directory)
            let viewer = UserID("u9999"), author = UserID("u9998")
            var muted = false
            while Self.lock.withLock({ Self.running }) {
                muted.toggle()
                try await store.setMuted(viewer: viewer, author: author, muted: muted)
            }
            try await store.setMuted(viewer: viewer, author: author, muted: false)
        }
    }

    static func stopAll() { lock.withLock { running = false } }
}

/// The floor: one SQL query for a viewer's visible posts, read in full.
struct SQLFloor {
    let queue: DatabaseQueue

    static let sql = """
        SELECT p.seq, p.id, p.author_id, p.kind, p.created_at, p.expires_at, p.text, p.background, p.font,
               p.caption, p.width, p.height, p.duration_ms,
               EXISTS (SELECT 1 FROM views v WHERE v.post_seq = p.seq AND v.viewer_id = ?1) AS seen
        FROM contacts c
        JOIN contacts r ON r.owner_id = c.contact_id AND r.contact_id = c.owner_id
        JOIN posts p ON p.author_id = c.contact_id
        WHERE c.owner_id = ?1 AND p.state = 'live' AND p.created_at <= ?2 AND p.expires_at > ?2
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ?1 AND b.blocked_id = c.contact_id)
                                                   OR (b.blocker_id = c.contact_id AND b.blocked_id = ?1))
          AND (p.audience_mode = 'contacts'
               OR (p.audience_mode = 'contacts_except'
                   AND NOT EXISTS (SELECT 1 FROM post_audience a WHERE a.post_seq = p.seq AND a.member_id = ?1))
               OR (p.audience_mode = 'only_share_with'
                   AND EXISTS (SELECT 1 FROM post_audience a WHERE a.post_seq = p.seq AND a.member_id = ?1)))
        ORDER BY p.author_id, p.seq
        """

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The rows, every column read.
    func visiblePosts(viewer: UserID, at now: Timestamp) throws -> Int {
        try queue.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: Self.sql), arguments: [viewer.rawValue, now.seconds])
            var count = 0
            while let row = try rows.next() {
                let id: String = row[1], author: String = row[2], kind: String = row[3]
                let text: String? = row[6], caption: String? = row[9]
                blackHole((row[0] as Int64, id, author, kind, row[4] as Int64, row[5] as Int64, text, row[7] as String?,
                           row[8] as Int?, caption, row[10] as Int?, row[11] as Int?, row[12] as Int?, row[13] as Bool))
                count += 1
            }
            return count
        }
    }
}

/// One viewer and `contacts` mutual contacts, 40% of them posting, built in memory.
struct Neighbourhood: @unchecked Sendable {
    // @unchecked: read-only after setup.
    let index: FeedIndex
    let viewer = UserID("viewer")

    init(contacts: Int, postsPerPoster: ClosedRange<Int>) {
        var random = SplitMix64(seed: UInt64(contacts * 31 + postsPerPoster.lowerBound))
        let others = (0..<contacts).map { UserID("c\($0)") }
        var users = [FeedUserRecord(id: viewer, contacts: others, blocked: [])]
        var posts: [FeedPost] = []
        var views: [(viewer: UserID, seq: Int64)] = []
        var seq: Int64 = 0
        for other in others {
            users.append(FeedUserRecord(id: other, contacts: [viewer], blocked: []))
            guard Double.random(in: 0..<1, using: &random) < 0.4 else { continue }
            for _ in 0..<Int.random(in: postsPerPoster, using: &random) {
                seq += 1
                let post = Post(id: PostID(using: &random), author: other, kind: .image,
                                createdAt: moment + -Int64.random(in: 0..<86_000, using: &random), caption: "caption",
                                media: MediaSummary(format: "jpeg", width: 1080, height: 1920))
                posts.append(FeedPost(seq: seq, post: post))
                if Double.random(in: 0..<1, using: &random) < 0.3 { views.append((viewer, seq)) }
            }
        }
        index = FeedIndex(FeedWorld(version: 1, users: users, posts: posts, views: views, mutes: []))
    }
}
