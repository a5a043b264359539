// Ad selection for one feed (three slots) against 100,000 active campaigns, in memory, warm.
//
//   cd Benchmarks && swift package benchmark --target AdsBenchmarks
//   make bench-ads
//
// Inventory (SplitMix64, seed 1): 100,000 campaigns of 20,000 advertisers, bids 0.2–5 units per
// thousand, daily budgets 10–1,000 units with up to a third spent; targeting: 70% by 1–3 of 60
// countries, 40% by 1–2 of 25 languages, 50% by an age range; 30% with a frequency cap. Each
// iteration asks for a random viewer (country, language and age drawn from the same sets) with
// 12 author groups (three slots) and a few recent impressions:
//   - "ads: select, index"      AdSelector.select over the targeting index (what the engine runs);
//   - "ads: select, full scan"  the same rules applied to every campaign, then the same auctions:
//                               the reference the index must beat by 20x.

import Benchmark
import Foundation
import StatusAds
import StatusCore

let campaignCount = 100_000
let now = Timestamp(parsing: "2026-11-25T15:00:00Z")!
let countries = ["EG", "SA", "AE", "MA", "DZ", "TN", "JO", "LB", "IQ", "KW", "QA", "BH", "OM", "YE", "SD", "LY", "BR", "PT", "AO", "MZ",
                 "IN", "PK", "BD", "ID", "MY", "NG", "KE", "GH", "ZA", "ET", "DE", "FR", "IT", "ES", "GB", "NL", "TR", "RU", "UA", "PL",
                 "MX", "AR", "CO", "CL", "PE", "US", "CA", "PH", "VN", "TH", "JP", "KR", "CN", "AU", "NZ", "SE", "NO", "IL", "IR", "AF"]
let languages = ["ar", "en", "pt", "pt-BR", "es", "fr", "de", "hi", "ur", "bn", "id", "ms", "sw", "tr", "ru", "uk", "pl", "it", "nl", "fa",
                 "he", "ja", "ko", "zh", "vi"]

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal, .throughput], warmupIterations: 100,
                                                maxDuration: .seconds(10), maxIterations: 20_000)
    Benchmark("ads: select, index", configuration: configuration) { (benchmark: Benchmark, world: World) in
        for _ in benchmark.scaledIterations {
            blackHole(AdSelector.select(world.nextRequest(), inventory: world.inventory, counters: world.counters, policy: world.policy))
        }
    } setup: { () -> World in World.shared }

    Benchmark("ads: select, full scan", configuration: configuration) { (benchmark: Benchmark, world: World) in
        for _ in benchmark.scaledIterations {
            blackHole(world.scan(world.nextRequest()))
        }
    } setup: { () -> World in World.shared }
}

final class World: @unchecked Sendable {
    // @unchecked: built once; the request stream is used by one benchmark task at a time.
    static let shared = World()

    let inventory: AdInventory
    let campaigns: [Campaign]
    let state: [CampaignID: CampaignCounters]
    let policy = AdsPolicy.default
    private var random = SplitMix64(seed: 99)

    init() {
        var random = SplitMix64(seed: 1)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        var campaigns: [Campaign] = []
        var state: [CampaignID: CampaignCounters] = [:]
        var creatives: [Creative] = []
        for n in 0..<campaignCount {
            let id = CampaignID(rawValue: "c\(n)")!
            var targeting = Targeting.anyone
            if random.next() % 10 < 7 { targeting.countries = Array(Set((0...(random.next() % 3)).map { _ in pick(countries) })).sorted() }
            if random.next() % 10 < 4 { targeting.languages = Array(Set((0...(random.next() % 2)).map { _ in pick(languages) })).sorted() }
            if random.next() % 2 == 0 {
                let low = 18 + Int(random.next() % 30)
                targeting.ages = low...(low + 5 + Int(random.next() % 40))
            }
            let daily = Int64(10 + random.next() % 990) * 1_000_000
            let caps = random.next() % 10 < 3 ? [FrequencyCap(scope: random.next() % 2 == 0 ? .campaign : .advertiser, max: 2, windowSeconds: 86_400)] : []
            campaigns.append(Campaign(id: id, advertiser: AdvertiserID(rawValue: "a\(n % 20_000)")!,
                                      bidCPMMicros: Int64(200 + random.next() % 4_800) * 1_000, dailyBudgetMicros: daily,
                                      totalBudgetMicros: daily * 30, start: now + -86_400, end: now + 30 * 86_400,
                                      targeting: targeting, pacing: random.next() % 2 == 0 ? .even : .asap, frequencyCaps: caps))
            state[id] = CampaignCounters(spentToday: Int64(random.next() % UInt64(daily / 3)), spentTotal: daily,
                                         impressions: Int(random.next() % 100_000), clicks: Int(random.next() % 1_000))
            creatives.append(Creative(id: CreativeID(rawValue: "k\(n)")!, campaign: id, media: "m.jpg", headline: "Ad", callToAction: .message))
        }
        let advertisers = (0..<20_000).map { Advertiser(id: AdvertiserID(rawValue: "a\($0)")!, name: "Advertiser \($0)", chat: "shop\($0)") }
        let policy = self.policy
        inventory = AdInventory(campaigns: campaigns, creatives: creatives, advertisers: advertisers) { id in
            let c = state[id] ?? .zero
            return Auction.predictedCTR(clicks: c.clicks, impressions: c.impressions, prior: policy.ctrPrior, strength: policy.ctrPriorStrength)
        }
        self.campaigns = campaigns
        self.state = state
    }

    var counters: (CampaignID) -> CampaignCounters { { [state] in state[$0] ?? .zero } }

    func nextRequest() -> AdRequest {
        let audience = AdAudienceMember(country: countries[Int(random.next() % UInt64(countries.count))],
                                        language: languages[Int(random.next() % UInt64(languages.count))],
                                        age: 18 + Int(random.next() % 50))
        let recent = (0..<Int(random.next() % 4)).map { _ -> ServedImpression in
            let campaign = campaigns[Int(random.next() % UInt64(campaigns.count))]
            return ServedImpression(campaign: campaign.id, advertiser: campaign.advertiser, at: now + -3_600)
        }
        return AdRequest(viewer: UserID("v\(random.next() % 100_000)"), audience: audience, adFree: nil, organicGroups: 12,
                         recentImpressions: recent, now: now)
    }

    /// Every campaign checked, the best per advertiser kept, then one auction per slot.
    func scan(_ request: AdRequest) -> [Auction.Outcome] {
        var best: [AdvertiserID: Auction.Candidate] = [:]
        for campaign in campaigns where campaign.targeting.admits(request.audience) && campaign.bidCPMMicros >= policy.floorCPMMicros {
            let counters = state[campaign.id] ?? .zero
            guard AdSelector.ineligibility(campaign, counters: counters, request: request, policy: policy) == nil else { continue }
            let candidate = Auction.Candidate(
                campaign: campaign.id, advertiser: campaign.advertiser, bidCPMMicros: campaign.bidCPMMicros,
                predictedCTR: Auction.predictedCTR(clicks: counters.clicks, impressions: counters.impressions, prior: policy.ctrPrior,
                                                   strength: policy.ctrPriorStrength))
            if let other = best[campaign.advertiser], other.eCPM >= candidate.eCPM { continue }
            best[campaign.advertiser] = candidate
        }
        var pool = Array(best.values)
        var outcomes: [Auction.Outcome] = []
        for slot in InsertionPolicy.positions(groups: request.organicGroups, policy: policy).indices {
            guard let outcome = Auction.run(pool, floorCPMMicros: policy.floorCPMMicros,
                                            seed: Auction.seed(viewer: request.viewer, slot: slot, at: now)) else { break }
            outcomes.append(outcome)
            pool.removeAll { $0.advertiser == outcome.winner.advertiser }
        }
        return outcomes
    }
}
