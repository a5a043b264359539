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

    @Test func reservationsNeverExceedABudgetAndEventsCountOnce() async throws {
        try await withStore { store, _ in
            let (advertisers, campaigns, creatives) = inventory(total: 1_000, daily: 600)
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            var accepted = 0
            for n in 0..<10 {
                if try await store.reserve([AdReservation(serve: serve("t\(n)", cost: 250, at: day + Int64(n)), dailyBudgetMicros: 600,
                                                          totalBudgetMicros: 1_000)]) == [true] { accepted += 1 }
            }
            #expect(accepted == 2)                                    // 500 of a 600 daily budget
            // Several in one transaction, each judged on the spend before it.
            #expect(try await store.reserve([AdReservation(serve: serve("next-day", cost: 250, at: day + 86_400), dailyBudgetMicros: 600, totalBudgetMicros: 1_000),
                                             AdReservation(serve: serve("over-total", cost: 300, at: day + 86_401), dailyBudgetMicros: 600, totalBudgetMicros: 1_000)])
                    == [true, false])
            let reading = try await store.campaignCounters(day: AdServe.day(of: day), after: nil)
            let counters = reading.counters[CampaignID(rawValue: "morning")!]
            #expect(counters?.spentToday == 500 && counters?.spentTotal == 750)
            // Read again after that mark: nothing changed, nothing read.
            #expect(try await store.campaignCounters(day: AdServe.day(of: day), after: reading.mark).counters.isEmpty)
            // Lowering the total below what was spent is refused.
            var lower = campaigns
            lower[0].totalBudgetMicros = 700
            await #expect(throws: StoreError.self) { try await store.loadInventory(advertisers: [], campaigns: lower, creatives: []) }

            let mark = try await store.campaignCounters(day: AdServe.day(of: day), after: nil).mark
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
            #expect(report.map(\.day) == ["2026-11-25", "2026-11-26"])
            #expect(report[0].served == 2 && report[0].impressions == 1 && report[0].clicks == 1 && report[0].spendMicros == 500
                    && report[0].conversations == 1)
            #expect(report[1].served == 1 && report[1].spendMicros == 250)

            let paused = try await store.setCampaignActive(CampaignID(rawValue: "morning")!, active: false)
            #expect(!paused.active)
            await #expect(throws: StoreError.self) { try await store.setCampaignActive(CampaignID(rawValue: "nope")!, active: false) }
        }
    }

    @Test func reservationsRecheckFrequencyCapsAgainstWhatIsStored() async throws {
        try await withStore { store, _ in
            // At most 2 of the campaign's ads per hour to one viewer.
            let (advertisers, campaigns, creatives) = inventory(total: 1_000_000, daily: 1_000_000)
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            let caps = campaigns[0].frequencyCaps
            func reservation(_ token: String, at: Timestamp) -> AdReservation {
                AdReservation(serve: serve(token, cost: 10, at: at), dailyBudgetMicros: 1_000_000, totalBudgetMicros: 1_000_000, frequencyCaps: caps)
            }
            // Three in one transaction: the third breaks the cap, counting the two before it.
            #expect(try await store.reserve([reservation("a", at: day), reservation("b", at: day + 1), reservation("c", at: day + 2)])
                    == [true, true, false])
            // A selector that saw none of them (another process) is refused too, until the hour passes.
            #expect(try await store.reserve([reservation("d", at: day + 3_599)]) == [false])
            #expect(try await store.reserve([reservation("e", at: day + 3_600)]) == [true])
            // An advertiser-wide cap counts every campaign of the advertiser.
            let wide = AdReservation(serve: serve("f", cost: 10, at: day + 3_601), dailyBudgetMicros: 1_000_000, totalBudgetMicros: 1_000_000,
                                     frequencyCaps: [FrequencyCap(scope: .advertiser, max: 2, windowSeconds: 7_200)])
            #expect(try await store.reserve([wide]) == [false])
            let counters = try await store.campaignCounters(day: AdServe.day(of: day), after: nil).counters[CampaignID(rawValue: "morning")!]
            #expect(counters?.spentTotal == 30)
        }
    }

    @Test func theServingWritersLogIsCheckpointedAndRestartedNotLeftToGrow() async throws {
        try await withStore { store, directory in
            let (advertisers, campaigns, creatives) = inventory(total: 1_000_000_000, daily: 1_000_000_000)
            try await store.loadInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives)
            var largest: UInt64 = 0
            for n in 0..<2_000 {
                _ = try await store.adViewer(UserID("v"), since: day)
                #expect(try await store.reserve([AdReservation(serve: serve("w\(n)", cost: 1, at: day + Int64(n)),
                                                               dailyBudgetMicros: .max, totalBudgetMicros: .max)]) == [true])
                let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/status.sqlite-wal")[.size] as? UInt64) ?? 0
                largest = max(largest, size ?? 0)
            }
            // About 10 pages a charge: 2,000 charges left to grow would be some 80 MB of log.
            #expect(largest < 24 << 20, "the log reached \(largest) bytes")
        }
    }
}
