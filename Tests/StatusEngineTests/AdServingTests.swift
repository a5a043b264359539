import Foundation
import GRDB
import StatusEngine
import StatusStore
import Testing

/// Ads served by two engines on one data directory (two serving processes), with small budgets,
/// short leases and a process that dies with ads unrecorded.
@Suite(.serialized) struct AdServingTests {
    let at = Timestamp(parsing: "2026-11-25T12:00:00Z")!

    /// Three campaigns: one capped at 2 a day per viewer, two whose daily budgets a few hundred
    /// feeds exhaust (one of them paced).
    func manifest(in directory: String) throws -> String {
        try FileManager.default.copyItem(atPath: "fixtures/ads/latte.jpg", toPath: directory + "/latte.jpg")
        let text = """
            {"advertisers": [{"id": "a1", "name": "One", "chat": "one_shop"}, {"id": "a2", "name": "Two", "chat": "two_shop"},
                             {"id": "a3", "name": "Three"}],
             "campaigns": [
               {"id": "capped", "advertiser": "a1", "bid_cpm_micros": 2000000, "daily_budget_micros": 400000,
                "total_budget_micros": 500000, "start": "2026-11-01T00:00:00Z", "end": "2026-12-31T00:00:00Z", "pacing": "asap",
                "frequency_caps": [{"scope": "campaign", "max": 2, "window_s": 86400}]},
               {"id": "small", "advertiser": "a2", "bid_cpm_micros": 1500000, "daily_budget_micros": 30000,
                "total_budget_micros": 60000, "start": "2026-11-01T00:00:00Z", "end": "2026-12-31T00:00:00Z", "pacing": "asap"},
               {"id": "paced", "advertiser": "a3", "bid_cpm_micros": 1000000, "daily_budget_micros": 200000,
                "total_budget_micros": 200000, "start": "2026-11-01T00:00:00Z", "end": "2026-12-31T00:00:00Z", "pacing": "even"}],
             "creatives": [
               {"id": "k1", "campaign": "capped", "media": "latte.jpg", "headline": "One", "cta": {"type": "message"}},
               {"id": "k2", "campaign": "small", "media": "latte.jpg", "headline": "Two", "cta": {"type": "message"}},
               {"id": "k3", "campaign": "paced", "media": "latte.jpg", "headline": "Three", "cta": {"type": "visit", "url": "https://three.example"}}]}
            """
        try text.write(toFile: directory + "/ads.json", atomically: true, encoding: .utf8)
        return directory + "/ads.json"
    }

    struct Served: Sendable {
        var engine: Int
        var viewer: UserID
        var campaign: String
        var cost: Int64
        var token: String
    }

    @Test func twoProcessesNeverPassABudgetOrACapAndADeadOnesLeasesComeBack() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-ad-serving-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = EngineConfiguration.default
        configuration.ads.leaseImpressions = 4
        configuration.ads.leaseSeconds = 1
        // Nothing recorded during the burst: caps rest on what each engine holds unrecorded.
        configuration.ads.recordIntervalMilliseconds = 5_000
        let first = try Engine.open(dataDirectory: directory, configuration: configuration, durableFiles: false)
        _ = try await first.seedDemo(DemoPopulation.Parameters(users: 120, contacts: 30, posters: 0.8, seed: 4), fixtures: "fixtures", at: at)
        #expect(try await first.loadAds(manifest: try manifest(in: directory), partial: false).errors.isEmpty)
        var second: Engine? = try Engine.open(dataDirectory: directory, configuration: configuration, durableFiles: false)

        // Viewers u0… to the first engine when even, to the second when odd; a few hundred feeds
        // at once from both.
        let engines = [first, second!]
        let served = try await withThrowingTaskGroup(of: [Served].self) { group in
            for lane in 0..<4 {
                group.addTask {
                    var mine: [Served] = []
                    for n in 0..<120 {
                        let viewer = DemoPopulation.userID((n * 7 + lane * 13) % 120)
                        let which = Int(viewer.rawValue.dropFirst())! % 2
                        let page = try await engines[which].feedWithAds(for: viewer, at: at + Int64(n))
                        mine += page.ads.map { Served(engine: which, viewer: viewer, campaign: $0.placement.campaign.id.rawValue,
                                                      cost: $0.placement.costMicros, token: $0.token) }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(served.count > 50)
        let budgets = ["capped": (400_000, 500_000), "small": (30_000, 60_000), "paced": (200_000, 200_000)] as [String: (Int64, Int64)]
        for (campaign, (daily, total)) in budgets {
            let spent = served.filter { $0.campaign == campaign }.reduce(0) { $0 + $1.cost }
            #expect(spent <= min(daily, total), "\(campaign) served \(spent)")
        }
        // Caps: each viewer is served by one engine, which counts what it has not recorded yet.
        for (viewer, ads) in Dictionary(grouping: served.filter { $0.campaign == "capped" }, by: \.viewer) {
            #expect(ads.count <= 2, "\(viewer) saw the capped campaign \(ads.count) times")
        }
        #expect(Set(served.map(\.campaign)) == ["capped", "small", "paced"])

        // The first engine settles; the second dies: what it served and did not record is lost,
        // and its leases wait to expire.
        try await first.settleAds()
        let lost = served.filter { $0.engine == 1 }
        second = nil
        // Later, once its leases expired (a second), a process reclaims them.
        let store = try SQLiteStatusStore(directory: directory)
        #expect(try await store.reclaimExpiredBudget(now: Int64(Date().timeIntervalSince1970) + 5) > 0)
        let (spent, recorded, leases) = try await DatabaseQueue(path: directory + "/status.sqlite").read { db in
            (try [String: Int64](uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, spent_micros FROM campaigns").map { ($0[0], $0[1]) }),
             try [String: Int64](uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT campaign_id, sum(cost_micros) FROM ad_serves GROUP BY campaign_id").map { ($0[0], $0[1]) }),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM budget_leases") ?? -1)
        }
        #expect(leases == 0)

        // Every campaign's spend is exactly what its recorded ads cost, within its budgets.
        for (campaign, (daily, total)) in budgets {
            #expect(spent[campaign] == recorded[campaign] ?? 0, "\(campaign): spent \(spent[campaign] ?? -1), recorded \(recorded[campaign] ?? 0)")
            #expect((spent[campaign] ?? 0) <= min(daily, total))
        }
        // Every ad the first engine served was recorded: its events count.
        for ad in served where ad.engine == 0 {
            #expect(try await first.recordAdEvent(token: ad.token, type: .impression, at: at + 600).outcome == .recorded)
        }
        #expect(recorded.values.reduce(0, +) >= served.filter { $0.engine == 0 }.reduce(0) { $0 + $1.cost })
        #expect(recorded.values.reduce(0, +) <= served.reduce(0) { $0 + $1.cost } && !lost.isEmpty)
    }

    @Test func leasesLastAsLongAsTheyServeAndThoseOfPastDaysGoBack() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-ad-leases-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = EngineConfiguration.default
        configuration.ads.recordIntervalMilliseconds = 20
        let engine = try Engine.open(dataDirectory: directory, configuration: configuration, durableFiles: false)
        _ = try await engine.seedDemo(DemoPopulation.Parameters(users: 60, contacts: 20, posters: 0.8, seed: 5), fixtures: "fixtures", at: at)
        #expect(try await engine.loadAds(manifest: try manifest(in: directory), partial: false).errors.isEmpty)
        // Feeds at a moment of their own (a day before the wall clock), with the recorder running
        // between them: the leases stay, so feeds rarely wait for one.
        var served = 0
        for round in 0..<6 {
            for n in 0..<10 { served += try await engine.feedWithAds(for: DemoPopulation.userID(n), at: at + Int64(round * 10 + n)).ads.count }
            try await Task.sleep(for: .milliseconds(60))
        }
        let counts = engine.adServingCounts
        #expect(served > 20 && counts.adsServed == served)
        #expect(counts.leasesOnFeedPath <= 6, "\(counts)")
        #expect(counts.recordBatches >= 3 && counts.adsRecorded <= served)
        // The next day's feeds: the past day's leases go back at the recorder's next turn.
        // 01:00 the next UTC day, while the posts are still live.
        var nextDay = 0
        for n in 0..<10 { nextDay += try await engine.feedWithAds(for: DemoPopulation.userID(n), at: at + 13 * 3_600 + Int64(n)).ads.count }
        #expect(nextDay > 0)
        try await Task.sleep(for: .milliseconds(200))
        let days = try await DatabaseQueue(path: directory + "/status.sqlite").read { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT day FROM budget_leases")
        }
        #expect(days == [AdServe.day(of: at) + 1])
        try await engine.settleAds()
        #expect(try await DatabaseQueue(path: directory + "/status.sqlite").read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM budget_leases") } == 0)
    }

    /// Found by scripts/faults: `statusctl feed` failed while another process held the write
    /// lock, because settling wrote even when this process had served and leased nothing.
    @Test func settlingWithNothingServedNeedsNoLock() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-ad-settle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let engine = try Engine.open(dataDirectory: directory, configuration: .default, durableFiles: false)
        _ = try await engine.seedDemo(DemoPopulation.Parameters(users: 20, contacts: 10, posters: 0.8, seed: 7), fixtures: "fixtures", at: at)
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: directory + "/status.sqlite", configuration: unsafe)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let page = try await engine.feedWithAds(for: DemoPopulation.userID(1), at: at)
        #expect(page.ads.isEmpty && !page.feed.groups.isEmpty)
        await #expect(throws: Never.self) { try await engine.settleAds() }
        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }

    @Test func theAdPathFailsOpenAndAdFreeViewersGetNone() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-ad-open-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Only the lock may stop the ads here: the time budget is out of the way, so a slow run
        // (a sanitizer, a loaded machine) cannot turn `busy` into `time_budget`.
        var configuration = EngineConfiguration.default
        configuration.ads.timeBudgetMilliseconds = 600_000
        let engine = try Engine.open(dataDirectory: directory, configuration: configuration, durableFiles: false)
        _ = try await engine.seedDemo(DemoPopulation.Parameters(users: 60, contacts: 20, posters: 0.8, seed: 5), fixtures: "fixtures", at: at)
        #expect(try await engine.loadAds(manifest: try manifest(in: directory), partial: false).errors.isEmpty)
        let viewer = DemoPopulation.userID(1)
        // Another process holds the write lock: the lease cannot be granted within the serving
        // wait, and the organic feed is served without ads, nothing charged.
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: directory + "/status.sqlite", configuration: unsafe)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let blocked = try await engine.feedWithAds(for: viewer, at: at)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        #expect(blocked.ads.isEmpty && blocked.adsSkipped == "busy" && blocked.feed.groups.count >= 3, "\(blocked.ads.count) \(blocked.adsSkipped ?? "nil") \(blocked.feed.groups.count)")
        #expect(engine.adServingCounts.adsServed == 0)
        let served = try await engine.feedWithAds(for: viewer, at: at)
        #expect(!served.ads.isEmpty && served.feed.groups == blocked.feed.groups)
        // An opted-out viewer gets the same feed with no ads.
        try await engine.store.upsertUsers([UserUpdate(id: viewer, ads: false)])
        let optedOut = try await engine.feedWithAds(for: viewer, at: at)
        #expect(optedOut.ads.isEmpty && optedOut.adsSkipped == "ad_free:opted_out")
        try await engine.settleAds()
    }
}
