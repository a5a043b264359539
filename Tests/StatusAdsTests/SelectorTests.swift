import StatusAds
import StatusCore
import Testing

@Suite struct InsertionPolicyTests {
    @Test func adsSitBetweenGroupsWithTheConfiguredSpacing() {
        let policy = AdsPolicy.default
        #expect(InsertionPolicy.positions(groups: 0, policy: policy) == [])
        #expect(InsertionPolicy.positions(groups: 1, policy: policy) == [])
        #expect(InsertionPolicy.positions(groups: 2, policy: policy) == [])      // an ad after 2 groups would be last
        #expect(InsertionPolicy.positions(groups: 3, policy: policy) == [2])
        #expect(InsertionPolicy.positions(groups: 6, policy: policy) == [2, 5])
        #expect(InsertionPolicy.positions(groups: 40, policy: policy) == [2, 5, 8])
        var dense = policy
        dense.firstAdAfter = 0
        dense.minGap = 1
        dense.maxAds = 10
        dense.minOrganicGroups = 4
        #expect(InsertionPolicy.positions(groups: 3, policy: dense) == [])
        #expect(InsertionPolicy.positions(groups: 4, policy: dense) == [1, 2, 3])   // never first, never last
    }

    @Test func viewersWhoOptedOutAreYoungUnknownOrOutsideEnabledCountriesGetNoAds() {
        let now = Timestamp(parsing: "2026-11-25T12:00:00Z")!
        var policy = AdsPolicy.default
        policy.enabledCountries = ["EG"]
        func user(_ ads: Bool = true, born: Int? = 1990, country: String? = "EG") -> User {
            User(id: UserID("u"), country: country, birthYear: born, ads: ads)
        }
        #expect(policy.adFreeReason(user(), at: now) == nil)
        #expect(policy.adFreeReason(user(false), at: now) == .optedOut)
        #expect(policy.adFreeReason(user(born: 2008), at: now) == .underMinimumAge)   // 17 or 18: maybe 17
        #expect(policy.adFreeReason(user(born: 2007), at: now) == nil)
        #expect(policy.adFreeReason(user(born: nil), at: now) == .unknownAge)
        #expect(policy.adFreeReason(user(country: "SA"), at: now) == .countryNotEnabled)
        #expect(policy.adFreeReason(user(country: nil), at: now) == .countryNotEnabled)
    }

    @Test func evenPacingFollowsTheTrafficCurveAndAsapDoesNot() {
        let policy = AdsPolicy.default
        #expect(policy.trafficShare(atSecondOfDay: 0) == 0)
        #expect(abs(policy.trafficShare(atSecondOfDay: 86_400) - 1) < 1e-12)
        var last = -1.0
        for second in stride(from: Int64(0), through: 86_400, by: 600) {
            let share = policy.trafficShare(atSecondOfDay: second)
            #expect(share >= last)
            last = share
        }
        let day = Timestamp(parsing: "2026-11-25T00:00:00Z")!
        let even = Campaign(id: CampaignID(rawValue: "e")!, advertiser: AdvertiserID(rawValue: "a")!, bidCPMMicros: 1,
                            dailyBudgetMicros: 1_000_000, totalBudgetMicros: 1_000_000, start: day, end: day + 86_400)
        var asap = even
        asap.pacing = .asap
        #expect(policy.dailyAllowance(asap, at: day) == 1_000_000)
        #expect(policy.dailyAllowance(even, at: day + 6 * 3_600) < 250_000)
        #expect(policy.dailyAllowance(even, at: day + 86_399) == 1_000_000)
    }
}

/// Random inventories served a simulated day of requests: every rule holds at every request.
@Suite struct SelectorPropertyTests {
    struct World {
        var inventory: AdInventory
        var campaigns: [CampaignID: Campaign]
        var counters: [CampaignID: CampaignCounters] = [:]
        var impressions: [UserID: [ServedImpression]] = [:]
    }

    static func world(_ random: inout SplitMix64, day: Timestamp) -> World {
        let advertisers = (0..<Int.random(in: 1...12, using: &random)).map {
            Advertiser(id: AdvertiserID(rawValue: "a\($0)")!, name: "Advertiser \($0)", chat: "shop\($0)")
        }
        var campaigns: [Campaign] = []
        var creatives: [Creative] = []
        for n in 0..<Int.random(in: 1...40, using: &random) {
            let daily = Int64.random(in: 1...200, using: &random) * 1_000
            var caps: [FrequencyCap] = []
            if Bool.random(using: &random) { caps.append(FrequencyCap(scope: .campaign, max: Int.random(in: 1...3, using: &random), windowSeconds: 3_600)) }
            if Bool.random(using: &random) { caps.append(FrequencyCap(scope: .advertiser, max: Int.random(in: 1...4, using: &random), windowSeconds: 6 * 3_600)) }
            let campaign = Campaign(
                id: CampaignID(rawValue: "c\(n)")!, advertiser: advertisers.randomElement(using: &random)!.id,
                bidCPMMicros: Int64.random(in: 50...5_000, using: &random) * 1_000, dailyBudgetMicros: daily,
                totalBudgetMicros: daily * Int64.random(in: 1...3, using: &random) / 2 + 1,
                start: day + Int64.random(in: -3_600...7_200, using: &random), end: day + Int64.random(in: 3 * 3_600...30 * 3_600, using: &random),
                targeting: Targeting(countries: Bool.random(using: &random) ? [] : ["EG", "SA"].filter { _ in Bool.random(using: &random) },
                                     ages: Bool.random(using: &random) ? nil : 18...40),
                pacing: Bool.random(using: &random) ? .even : .asap, frequencyCaps: caps, active: Double.random(in: 0..<1, using: &random) < 0.9)
            campaigns.append(campaign)
            for k in 0..<Int.random(in: 0...2, using: &random) {
                creatives.append(Creative(id: CreativeID(rawValue: "k\(n)-\(k)")!, campaign: campaign.id, media: "m.jpg",
                                          headline: "Ad \(n)", callToAction: .message))
            }
        }
        let inventory = AdInventory(campaigns: campaigns, creatives: creatives, advertisers: advertisers) { _ in 0.01 }
        return World(inventory: inventory, campaigns: Dictionary(uniqueKeysWithValues: campaigns.map { ($0.id, $0) }))
    }

    @Test func noBudgetExceededNoCapBrokenNoAdOutOfPlaceOrToAnAdFreeViewer() {
        var random = SplitMix64(seed: 21)
        let day = Timestamp(parsing: "2026-11-25T00:00:00Z")!
        var policy = AdsPolicy.default
        policy.floorCPMMicros = 60_000
        var served = 0
        for _ in 0..<30 {
            var world = Self.world(&random, day: day)
            let viewers = (0..<20).map { UserID("v\($0)") }
            var now = day
            for _ in 0..<400 {
                now = now + Int64.random(in: 1...240, using: &random)
                let viewer = viewers.randomElement(using: &random)!
                let adFree: AdFreeReason? = Double.random(in: 0..<1, using: &random) < 0.1 ? .optedOut : nil
                let hidden: Set<AdvertiserID> = Double.random(in: 0..<1, using: &random) < 0.2 ? [AdvertiserID(rawValue: "a0")!] : []
                let request = AdRequest(
                    viewer: viewer, audience: AdAudienceMember(country: ["EG", "SA", "BR"].randomElement(using: &random), language: "ar",
                                                               age: Int.random(in: 16...60, using: &random)),
                    adFree: adFree, organicGroups: Int.random(in: 0...15, using: &random), hiddenAdvertisers: hidden,
                    recentImpressions: world.impressions[viewer] ?? [], now: now)
                let placements = AdSelector.select(request, inventory: world.inventory, counters: { world.counters[$0] ?? .zero },
                                                   policy: policy)
                if adFree != nil { #expect(placements.isEmpty) }
                // Slots where the policy puts them, in order, one advertiser each.
                let allowed = InsertionPolicy.positions(groups: request.organicGroups, policy: policy)
                #expect(placements.allSatisfy { allowed.contains($0.position) })
                #expect(placements.map(\.position) == placements.map(\.position).sorted())
                #expect(Set(placements.map(\.advertiser.id)).count == placements.count)
                for placement in placements {
                    let campaign = world.campaigns[placement.campaign.id]!
                    #expect(campaign.active && campaign.start <= now && now < campaign.end)
                    #expect(campaign.targeting.admits(request.audience))
                    #expect(!hidden.contains(campaign.advertiser))
                    #expect(placement.auction.priceCPMMicros <= campaign.bidCPMMicros && placement.auction.priceCPMMicros >= policy.floorCPMMicros)
                    // Served: the cost is spent and the impression counted, as the store would.
                    var counters = world.counters[campaign.id] ?? .zero
                    counters.spentToday += placement.costMicros
                    counters.spentTotal += placement.costMicros
                    counters.impressions += 1
                    if Double.random(in: 0..<1, using: &random) < 0.05 { counters.clicks += 1 }
                    world.counters[campaign.id] = counters
                    #expect(counters.spentToday <= campaign.dailyBudgetMicros && counters.spentTotal <= campaign.totalBudgetMicros)
                    #expect(counters.spentToday <= policy.dailyAllowance(campaign, at: now))
                    world.impressions[viewer, default: []].append(ServedImpression(campaign: campaign.id, advertiser: campaign.advertiser, at: now))
                    for cap in campaign.frequencyCaps {
                        let count = world.impressions[viewer]!.filter { impression in
                            (cap.scope == .campaign ? impression.campaign == campaign.id : impression.advertiser == campaign.advertiser)
                                && impression.at.seconds > now.seconds - cap.windowSeconds
                        }.count
                        #expect(count <= cap.max, "cap \(cap) broken for \(viewer)")
                    }
                    served += 1
                }
            }
        }
        #expect(served > 1_000)
    }
}
