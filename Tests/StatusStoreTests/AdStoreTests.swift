import Foundation
import GRDB
import StatusCore
import Testing
@testable import StatusStore

@Suite struct AdStoreTests {
    let day = Timestamp(parsing: "2026-11-25T00:00:00Z")!

    func inventory(total: Int64 = 1_000, daily: Int64 = 600) -> ([Advertiser], [Campaign], [CreativeUpload]) {
        let advertiser = Advertiser(id: AdvertiserID(rawValue: "cafe")!, name: "Café", chat: "cafe")
        let campaign = Campaign(id: CampaignID(rawValue: "morning")!, advertiser: advertiser.id, bidCPMMicros: 200_000,
                                dailyBudgetMicros: daily, totalBudgetMicros: total, start: day, end: day + 7 * 86_400,
                                targeting: Targeting(countries: ["EG"], languages: ["ar"], ages: 18...40), pacing: .asap,
                                frequencyCaps: [FrequencyCap(scope: .campaign, max: 2, windowSeconds: 3_600)])
        let creative = CreativeUpload(
            creative: Creative(id: CreativeID(rawValue: "latte")!, campaign: campaign.id, media: "latte.jpg", headline: "Latte",
                               callToAction: .message),
            kind: .image, media: MediaSummary(format: "jpeg", width: 1080, height: 1350),
            files: [BlobUpload(role: .original, contentType: "image/jpeg", content: .bytes(Array("latte".utf8))),
                    BlobUpload(role: .display, contentType: "image/jpeg", content: .bytes(Array("latte/d".utf8)), width: 1080, height: 1350),
                    BlobUpload(role: .thumb, contentType: "image/jpeg", content: .bytes(Array("latte/t".utf8)), width: 256, height: 320)])
        return ([advertiser], [campaign], [creative])
    }

    func serve(_ token: String, cost: Int64, at: Timestamp) -> AdServe {
        AdServe(token: token, viewer: UserID("v"), campaign: CampaignID(rawValue: "morning")!, advertiser: AdvertiserID(rawValue: "cafe")!,
                creative: CreativeID(rawValue: "latte")!, slot: 0, priceCPMMicros: cost * 1_000, costMicros: cost, at: at)
    }

    @Test func inventoryLoadsReloadsAndKeepsItsFilesThroughReconcileAndPurge() async throws {
        try await withStore { store, _ in
            let (advertisers, campaigns, creatives) = inventory()
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            var stored = try await store.storedInventory()
            #expect(stored.campaigns == campaigns && stored.advertisers == advertisers)
            #expect(stored.creatives.first?.blobs.map(\.role) == [.original, .display, .thumb])
            // Re-loading updates what may change.
            var changed = campaigns
            changed[0].bidCPMMicros = 300_000
            var renamed = creatives
            renamed[0].creative.headline = "Latte time"
            try await store.loadInventory(advertisers: advertisers, campaigns: changed, creatives: renamed)
            stored = try await store.storedInventory()
            #expect(stored.campaigns[0].bidCPMMicros == 300_000 && stored.creatives[0].creative.headline == "Latte time")
            // Media never change under a creative id.
            var other = creatives
            other[0].files[0].content = .bytes(Array("espresso".utf8))
            await #expect(throws: StoreError.self) { try await store.loadInventory(advertisers: [], campaigns: [], creatives: other) }
            // Creative files count as references: neither reconcile nor purge removes them.
            let report = try await store.reconcile(fix: false, at: day)
            #expect(report.isClean, "\(report)")
            _ = try await store.purge(at: day + 30 * 86_400, batchSize: 10, dryRun: false, progress: nil)
            #expect(try await store.reconcile(fix: false, at: day).isClean)
            #expect(try await store.storedInventory().creatives[0].blobs.count == 3)
        }
    }

    func request(_ wanted: Int64, minimum: Int64? = nil, day at: Timestamp? = nil, limit: Int64 = .max) -> BudgetRequest {
        BudgetRequest(key: BudgetKey(campaign: CampaignID(rawValue: "morning")!, day: AdServe.day(of: at ?? day)), wantedMicros: wanted,
                      minimumMicros: minimum ?? wanted, dailyLimitMicros: limit)
    }

    func spent(_ store: SQLiteStatusStore) async throws -> (total: Int64, serves: Int64, leased: Int64) {
        try await store.pool.read { db in
            (try Int64.fetchOne(db, sql: "SELECT spent_micros FROM campaigns") ?? -1,
             try Int64.fetchOne(db, sql: "SELECT coalesce(sum(cost_micros), 0) FROM ad_serves") ?? -1,
             try Int64.fetchOne(db, sql: "SELECT coalesce(sum(granted_micros - used_micros), 0) FROM budget_leases") ?? -1)
        }
    }

    @Test func leasesNeverPassABudgetAndServesAndEventsCountOnce() async throws {
        try await withStore { store, _ in
            let (advertisers, campaigns, creatives) = inventory(total: 1_000, daily: 600)
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            let later = Int64(Date().timeIntervalSince1970) + 600
            // Two holders lease from one daily budget of 600: whatever fits, never more.
            #expect(try await store.grantBudget([request(250)], holder: "a", expiresAt: later) == [250])
            #expect(try await store.grantBudget([request(250)], holder: "b", expiresAt: later) == [250])
            #expect(try await store.grantBudget([request(250)], holder: "a", expiresAt: later) == [0])
            #expect(try await store.grantBudget([request(250, minimum: 50)], holder: "a", expiresAt: later) == [100])
            // A pacing limit below the daily budget holds too.
            #expect(try await store.grantBudget([request(10, day: day + 86_400, limit: 0)], holder: "a", expiresAt: later) == [0])
            // The next day: its own daily budget, within what the total has left (400).
            #expect(try await store.grantBudget([request(250, day: day + 86_400), request(300, day: day + 86_400)], holder: "a", expiresAt: later)
                    == [250, 0])
            var money = try await spent(store)
            #expect(money.total == 850 && money.leased == 850 && money.serves == 0)
            // Lowering the total below what was spent (leases included) is refused.
            var lower = campaigns
            lower[0].totalBudgetMicros = 800
            await #expect(throws: StoreError.self) { try await store.loadInventory(advertisers: [], campaigns: lower, creatives: []) }

            // Served ads are recorded once, their cost used from the lease.
            try await store.recordServes([serve("t0", cost: 250, at: day), serve("t1", cost: 100, at: day + 1)], holder: "a", expiresAt: later)
            try await store.recordServes([serve("t0", cost: 250, at: day)], holder: "a", expiresAt: later)
            try await store.recordServes([serve("t2", cost: 100, at: day + 2)], holder: "b", expiresAt: later)
            money = try await spent(store)
            #expect(money.total == 850 && money.serves == 450 && money.leased == 400)
            // Releasing gives back what was not used: b leased 250 and used 100.
            let refunds = try await store.releaseBudget(holder: "b", keys: nil)
            #expect(refunds == [BudgetKey(campaign: CampaignID(rawValue: "morning")!, day: AdServe.day(of: day)): 150])
            // a's lease for the next day expires unrenewed (a died): anyone reclaims it.
            try await store.pool.write { db in try db.execute(sql: "UPDATE budget_leases SET expires_at = 0 WHERE day = ?", arguments: [AdServe.day(of: day) + 1]) }
            #expect(try await store.reclaimExpiredBudget(now: later - 600) == 1)
            money = try await spent(store)
            #expect(money.total == 450 && money.serves == 450 && money.leased == 0)
            let reading = try await store.campaignCounters(day: AdServe.day(of: day), after: nil)
            #expect(reading.counters[CampaignID(rawValue: "morning")!]?.spentToday == 450)
            // Read again after that mark: nothing changed, nothing read.
            #expect(try await store.campaignCounters(day: AdServe.day(of: day), after: reading.mark).counters.isEmpty)

            let mark = reading.mark
            #expect(try await store.recordAdEvent(token: "t0", type: .impression, at: day).outcome == .recorded)
            #expect(try await store.recordAdEvent(token: "t0", type: .impression, at: day + 5).outcome == .alreadyCounted)
            // A click on a message ad opens the advertiser's chat: a conversation start, once.
            let click = try await store.recordAdEvent(token: "t0", type: .click, at: day + 6)
            #expect(click == AdEventReceipt(outcome: .recorded, conversation: ConversationStart(advertiser: AdvertiserID(rawValue: "cafe")!, chat: "cafe")))
            #expect(try await store.recordAdEvent(token: "t0", type: .click, at: day + 8).outcome == .alreadyCounted)
            #expect(try await store.recordAdEvent(token: "t1", type: .hide, at: day + 7) == AdEventReceipt(outcome: .recorded))
            await #expect(throws: StoreError.self) { try await store.recordAdEvent(token: "forged", type: .click, at: day) }
            // Impressions and clicks move the counters' mark; only that campaign is read again.
            let changed = try await store.campaignCounters(day: AdServe.day(of: day), after: mark)
            #expect(changed.mark > mark && changed.counters[CampaignID(rawValue: "morning")!]?.clicks == 1
                    && changed.counters[CampaignID(rawValue: "morning")!]?.impressions == 1)
            #expect(try await store.adViewer(UserID("v"), since: day + -1) == nil)      // no such user yet
            try await store.upsertUsers([UserUpdate(id: UserID("v"), country: "EG", language: "ar", birthYear: 1990, contacts: [UserID("w")])])
            let viewer = try await store.adViewer(UserID("v"), since: day + -1)
            #expect(viewer?.profile == User(id: UserID("v"), country: "EG", language: "ar", birthYear: 1990))
            #expect(viewer?.hidden == [AdvertiserID(rawValue: "cafe")!] && viewer?.served.count == 3)

            let report = try await store.adReport(days: AdServe.day(of: day)...AdServe.day(of: day + 86_400))
            #expect(report.map(\.day) == ["2026-11-25"])
            #expect(report[0].served == 3 && report[0].impressions == 1 && report[0].clicks == 1 && report[0].spendMicros == 450
                    && report[0].conversations == 1)

            let paused = try await store.setCampaignActive(CampaignID(rawValue: "morning")!, active: false)
            #expect(!paused.active)
            await #expect(throws: StoreError.self) { try await store.setCampaignActive(CampaignID(rawValue: "nope")!, active: false) }
        }
    }

    @Test func anAdRecordedAfterItsLeaseWasReclaimedIsChargedNoFurtherThanTheBudget() async throws {
        try await withStore { store, _ in
            let (advertisers, campaigns, creatives) = inventory(total: 1_000, daily: 600)
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            #expect(try await store.grantBudget([request(500)], holder: "slow", expiresAt: 0) == [500])
            #expect(try await store.reclaimExpiredBudget(now: 1) == 1)
            #expect(try await store.grantBudget([request(550)], holder: "other", expiresAt: Int64(Date().timeIntervalSince1970) + 600) == [550])
            // The stalled holder comes back with two ads of 40: only 50 is left of the day.
            try await store.recordServes([serve("s1", cost: 40, at: day), serve("s2", cost: 40, at: day + 1)], holder: "slow", expiresAt: 0)
            let money = try await spent(store)
            #expect(money.total == 600 && money.serves == 50 && money.leased == 550)
            #expect(try await store.adReport(days: AdServe.day(of: day)...AdServe.day(of: day)).first?.served == 2)
        }
    }

    @Test func theServingWritersLogIsCheckpointedAndRestartedNotLeftToGrow() async throws {
        // A patient serving writer: on a loaded machine a background checkpoint may hold the lock
        // past the 20 ms a feed would wait (it would then be served without ads).
        try await withStore(configuration: StoreConfiguration(servingBusyTimeoutMilliseconds: 5_000)) { store, directory in
            let (advertisers, campaigns, creatives) = inventory(total: 1_000_000_000, daily: 1_000_000_000)
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            var largest: UInt64 = 0
            for n in 0..<2_000 {
                _ = try await store.adViewer(UserID("v"), since: day)
                #expect(try await store.grantBudget([request(1)], holder: "h\(n % 7)", expiresAt: .max) == [1])
                let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/status.sqlite-wal")[.size] as? UInt64) ?? 0
                largest = max(largest, size ?? 0)
            }
            // About 8 pages a grant: 2,000 grants left to grow would be some 60 MB of log.
            #expect(largest < 16 << 20, "the log reached \(largest) bytes")
        }
    }
}
