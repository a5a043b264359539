import Foundation
import StatusAds
import StatusCore
import Testing

@Suite struct SimulationTests {
    let day = Timestamp(parsing: "2026-11-25T00:00:00Z")!

    func campaign(_ name: String, pacing: Pacing, daily: Int64, bid: Int64) -> Campaign {
        Campaign(id: CampaignID(rawValue: name)!, advertiser: AdvertiserID(rawValue: "adv-\(name)")!, bidCPMMicros: bid,
                 dailyBudgetMicros: daily, totalBudgetMicros: daily * 10, start: day + -86_400, end: day + 10 * 86_400, pacing: pacing)
    }

    /// The campaigns with one creative each, of advertisers of their own, at the prior click rate.
    func inventory(_ campaigns: [Campaign], policy: AdsPolicy) -> AdInventory {
        let creatives = campaigns.map {
            Creative(id: CreativeID(rawValue: "k-\($0.id)")!, campaign: $0.id, media: "m.jpg", headline: "Ad", callToAction: .message)
        }
        let advertisers = campaigns.map { Advertiser(id: $0.advertiser, name: $0.advertiser.rawValue, chat: "shop") }
        return AdInventory(campaigns: campaigns, creatives: creatives, advertisers: advertisers) { _ in policy.ctrPrior }
    }

    @Test func evenPacedCampaignsEndTheDayNearTheirBudgetWithoutRunningDryEarly() throws {
        let campaigns = [
            campaign("even-a", pacing: .even, daily: 600_000, bid: 3_000_000),
            campaign("even-b", pacing: .even, daily: 450_000, bid: 2_000_000),
            campaign("even-c", pacing: .even, daily: 300_000, bid: 1_500_000),
            campaign("fast", pacing: .asap, daily: 450_000, bid: 2_500_000),
        ]
        let policy = AdsPolicy.default
        let inventory = self.inventory(campaigns, policy: policy)
        let simulation = AdSimulation.run(inventory: inventory, policy: policy, start: day, hours: 24, requests: 8_000, seed: 5, viewers: 1_000)
        for result in simulation.campaigns {
            #expect(result.spendByHour.count == 24)
            #expect(result.spentMicros <= result.campaign.dailyBudgetMicros)
            #expect(result.spendByHour == result.spendByHour.sorted())
            if result.campaign.pacing == .even {
                #expect(abs(result.budgetShare - 1) <= 0.05, "\(result.campaign.id): \(result.budgetShare)")
                #expect((result.dryAtHour ?? 24) >= 22, "\(result.campaign.id) ran dry at \(result.dryAtHour ?? -1) h")
                // Spend follows the traffic: by noon about the share of the day's traffic before noon.
                let noon = Double(result.spendByHour[11]) / Double(result.campaign.dailyBudgetMicros)
                #expect(abs(noon - policy.trafficShare(atSecondOfDay: 12 * 3_600 + policy.pacingLeadSeconds)) < 0.1)
            } else {
                // The same demand spends an asap budget well before the day ends.
                #expect((result.dryAtHour ?? 24) < 20, "asap dry at \(result.dryAtHour ?? -1)")
            }
        }
        let svg = simulation.svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == campaigns.count)
        #expect(svg.components(separatedBy: "stroke-dasharray").count - 1 == campaigns.count)
    }

    @Test func capsHoldInTheSimulationAndTheRequestsTheyRefuseAreCounted() {
        var capped = campaign("capped", pacing: .asap, daily: 10_000_000, bid: 3_000_000)
        capped.frequencyCaps = [FrequencyCap(scope: .campaign, max: 1, windowSeconds: 86_400)]
        var elsewhere = campaign("elsewhere", pacing: .asap, daily: 10_000_000, bid: 1_000_000)
        elsewhere.targeting = Targeting(ages: 90...99)            // no simulated viewer is that old
        elsewhere.frequencyCaps = [FrequencyCap(scope: .campaign, max: 1, windowSeconds: 86_400)]
        let open = campaign("open", pacing: .asap, daily: 10_000_000, bid: 2_000_000)
        let campaigns = [capped, elsewhere, open]
        let policy = AdsPolicy.default
        let inventory = self.inventory(campaigns, policy: policy)
        let simulation = AdSimulation.run(inventory: inventory, policy: policy, start: day, hours: 24, requests: 2_000, seed: 9, viewers: 20)
        let results = Dictionary(uniqueKeysWithValues: simulation.campaigns.map { ($0.campaign.id.rawValue, $0) })
        // One a day per viewer: at most 20 served, every later request for a served viewer refused by the cap.
        #expect(results["capped"]!.served <= 20 && results["capped"]!.served > 0)
        #expect(results["capped"]!.cappedRequests > 1_000)
        #expect(results["elsewhere"]!.served == 0 && results["elsewhere"]!.cappedRequests == 0)
        #expect(results["open"]!.cappedRequests == 0 && results["open"]!.served > results["capped"]!.served)
    }
}
