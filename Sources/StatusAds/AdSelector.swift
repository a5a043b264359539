import StatusCore

/// The inventory ready for serving: campaigns ranked for the targeting index, their creatives
/// and advertisers.
public struct AdInventory: Sendable {
    public let index: TargetingIndex
    public let creatives: [CampaignID: [Creative]]
    public let advertisers: [AdvertiserID: Advertiser]

    /// Ranks the campaigns by bid × the click rate known now (`ctr`), best first; ties by id.
    public init(campaigns: [Campaign], creatives: [Creative], advertisers: [Advertiser], ctr: (CampaignID) -> Double) {
        let ranked = campaigns.map { ($0, Double($0.bidCPMMicros) * ctr($0.id)) }
            .sorted { a, b in a.1 != b.1 ? a.1 > b.1 : a.0.id < b.0.id }
            .map(\.0)
        index = TargetingIndex(ranked: ranked)
        self.creatives = Dictionary(grouping: creatives, by: \.campaign)
        self.advertisers = Dictionary(advertisers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One viewer's request for ads in a feed of `organicGroups` author groups.
public struct AdRequest: Sendable {
    public var viewer: UserID
    public var audience: AdAudienceMember
    /// Set when the viewer gets no ads at all.
    public var adFree: AdFreeReason?
    public var organicGroups: Int
    /// Advertisers the viewer hid or blocked.
    public var hiddenAdvertisers: Set<AdvertiserID>
    /// The viewer's served impressions within the longest cap window.
    public var recentImpressions: [ServedImpression]
    public var now: Timestamp

    public init(viewer: UserID, audience: AdAudienceMember, adFree: AdFreeReason?, organicGroups: Int,
                hiddenAdvertisers: Set<AdvertiserID> = [], recentImpressions: [ServedImpression] = [], now: Timestamp) {
        self.viewer = viewer
        self.audience = audience
        self.adFree = adFree
        self.organicGroups = organicGroups
        self.hiddenAdvertisers = hiddenAdvertisers
        self.recentImpressions = recentImpressions
        self.now = now
    }
}

/// An ad placed in a feed, with what explains it.
public struct Placement: Sendable {
    /// Author groups before the ad.
    public var position: Int
    /// The slot's number in the feed (0, 1, 2).
    public var slot: Int
    public var campaign: Campaign
    public var creative: Creative
    public var advertiser: Advertiser
    /// The auction: winner, runner-up, ranking and price per thousand.
    public var auction: Auction.Outcome
    /// What this impression costs the campaign, in micros (the price per thousand ÷ 1,000, rounded up).
    public var costMicros: Int64
    /// The campaign's spend today before this ad, and what pacing allowed by now.
    public var spentToday: Int64
    public var allowance: Int64

    public init(position: Int, slot: Int, campaign: Campaign, creative: Creative, advertiser: Advertiser, auction: Auction.Outcome,
                costMicros: Int64, spentToday: Int64, allowance: Int64) {
        self.position = position
        self.slot = slot
        self.campaign = campaign
        self.creative = creative
        self.advertiser = advertiser
        self.auction = auction
        self.costMicros = costMicros
        self.spentToday = spentToday
        self.allowance = allowance
    }
}

/// Picks and prices the ads of one feed. Pure: counters, impressions and time come in; the
/// caller charges each placement's cost (from budget leased from the store, never past a
/// budget) and records the served ad.
public enum AdSelector {
    /// The cost of one impression at `priceCPMMicros`.
    public static func cost(priceCPMMicros: Int64) -> Int64 { (priceCPMMicros + 999) / 1_000 }

    /// Whether `campaign` may be shown to the request now, given its counters; nil if so, else why not.
    public static func ineligibility(_ campaign: Campaign, counters: CampaignCounters, request: AdRequest,
                                     policy: AdsPolicy) -> String? {
        let now = request.now
        if !campaign.active { return "paused" }
        if now < campaign.start || now >= campaign.end { return "outside its flight" }
        if request.hiddenAdvertisers.contains(campaign.advertiser) { return "advertiser hidden by the viewer" }
        // The most one impression can cost is the bid: budgets are checked against that.
        let most = cost(priceCPMMicros: campaign.bidCPMMicros)
        if counters.spentTotal + most > campaign.totalBudgetMicros { return "total budget spent" }
        if counters.spentToday + most > campaign.dailyBudgetMicros { return "daily budget spent" }
        if counters.spentToday + most > policy.dailyAllowance(campaign, at: now) { return "pacing" }
        for cap in campaign.frequencyCaps {
            let since = now.seconds - cap.windowSeconds
            let count = request.recentImpressions.reduce(0) { sum, impression in
                let same = cap.scope == .campaign ? impression.campaign == campaign.id : impression.advertiser == campaign.advertiser
                return sum + (same && impression.at.seconds > since ? 1 : 0)
            }
            if count >= cap.max { return "frequency cap \(cap.max) per \(cap.windowSeconds) s (\(cap.scope.rawValue)) reached" }
        }
        return nil
    }

    /// The feed's ads: one auction per slot among the best-ranked eligible campaigns of
    /// advertisers not yet in the feed.
    public static func select(_ request: AdRequest, inventory: AdInventory, counters: (CampaignID) -> CampaignCounters,
                              policy: AdsPolicy) -> [Placement] {
        guard request.adFree == nil else { return [] }
        var placements: [Placement] = []
        var used = Set<AdvertiserID>()
        let campaigns = inventory.index.campaigns
        for (slot, position) in InsertionPolicy.positions(groups: request.organicGroups, policy: policy).enumerated() {
            var candidates: [Auction.Candidate] = []
            var chosen: [CampaignID: (Campaign, CampaignCounters)] = [:]
            var advertisersHere = Set<AdvertiserID>()
            inventory.index.forEachMatch(request.audience) { rank in
                let campaign = campaigns[rank]
                guard !used.contains(campaign.advertiser), !advertisersHere.contains(campaign.advertiser),
                      campaign.bidCPMMicros >= policy.floorCPMMicros,
                      inventory.advertisers[campaign.advertiser] != nil,
                      !(inventory.creatives[campaign.id] ?? []).isEmpty else { return true }
                let state = counters(campaign.id)
                guard ineligibility(campaign, counters: state, request: request, policy: policy) == nil else { return true }
                // One candidate per advertiser: their best-ranked campaign.
                advertisersHere.insert(campaign.advertiser)
                chosen[campaign.id] = (campaign, state)
                candidates.append(Auction.Candidate(
                    campaign: campaign.id, advertiser: campaign.advertiser, bidCPMMicros: campaign.bidCPMMicros,
                    predictedCTR: Auction.predictedCTR(clicks: state.clicks, impressions: state.impressions,
                                                       prior: policy.ctrPrior, strength: policy.ctrPriorStrength)))
                return candidates.count < max(1, policy.candidatesPerSlot)
            }
            let seed = Auction.seed(viewer: request.viewer, slot: slot, at: request.now)
            guard let outcome = Auction.run(candidates, floorCPMMicros: policy.floorCPMMicros, seed: seed),
                  let (campaign, state) = chosen[outcome.winner.campaign],
                  let creatives = inventory.creatives[campaign.id], let advertiser = inventory.advertisers[campaign.advertiser] else { continue }
            used.insert(campaign.advertiser)
            let creative = creatives[Int(seed % UInt64(creatives.count))]
            placements.append(Placement(position: position, slot: slot, campaign: campaign, creative: creative, advertiser: advertiser,
                                        auction: outcome, costMicros: cost(priceCPMMicros: outcome.priceCPMMicros),
                                        spentToday: state.spentToday, allowance: policy.dailyAllowance(campaign, at: request.now)))
        }
        return placements
    }
}

extension AdAudienceMember {
    /// What targeting may use of `user` at `now`. The age is the youngest the user can be
    /// (the birthday may not have come yet this year).
    public init(_ user: User, at now: Timestamp) {
        self.init(country: user.country, language: user.language,
                  age: user.birthYear.map { Int(now.civil.year) - $0 - 1 })
    }
}
