import StatusCore

/// One ad slot's auction: generalized second price on eCPM = bid × pCTR. Pure: the click history
/// and the tie-break seed are parameters.
public enum Auction {
    /// A campaign in the running for a slot, already found eligible.
    public struct Candidate: Hashable, Sendable {
        public var campaign: CampaignID
        public var advertiser: AdvertiserID
        public var bidCPMMicros: Int64
        /// Predicted click-through rate, in (0, 1].
        public var predictedCTR: Double

        public init(campaign: CampaignID, advertiser: AdvertiserID, bidCPMMicros: Int64, predictedCTR: Double) {
            self.campaign = campaign
            self.advertiser = advertiser
            self.bidCPMMicros = bidCPMMicros
            self.predictedCTR = predictedCTR
        }

        /// Expected value per thousand impressions, in micros.
        public var eCPM: Double { Double(bidCPMMicros) * predictedCTR }
    }

    /// Who won, what they pay, and against whom.
    public struct Outcome: Hashable, Sendable {
        public var winner: Candidate
        public var runnerUp: Candidate?
        /// What the winner pays per thousand impressions, in micros: the runner-up's eCPM divided
        /// by the winner's pCTR (what the winner would have had to bid to keep first place), at
        /// least the floor, at most the winner's bid.
        public var priceCPMMicros: Int64
        /// Every candidate, best first, as ranked.
        public var ranking: [Candidate]

        public init(winner: Candidate, runnerUp: Candidate?, priceCPMMicros: Int64, ranking: [Candidate]) {
            self.winner = winner
            self.runnerUp = runnerUp
            self.priceCPMMicros = priceCPMMicros
            self.ranking = ranking
        }
    }

    /// The click rate smoothed towards `prior`: `(clicks + prior × strength) / (impressions +
    /// strength)`, so a new creative starts at the prior and moves as impressions come.
    public static func predictedCTR(clicks: Int, impressions: Int, prior: Double, strength: Double) -> Double {
        let rate = (Double(max(0, clicks)) + prior * strength) / (Double(max(0, impressions)) + strength)
        return min(1, max(1e-6, rate))
    }

    /// A tie-break key for `campaign` from the seed (derived from viewer, slot and time):
    /// equal eCPMs are ordered by it, so ties are broken the same way for the same request.
    public static func tieKey(_ campaign: CampaignID, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in campaign.rawValue.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        var mixer = SplitMix64(seed: hash)
        return mixer.next()
    }

    /// The seed for one slot of one viewer's request at `now`.
    public static func seed(viewer: UserID, slot: Int, at now: Timestamp) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in viewer.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var mixer = SplitMix64(seed: hash ^ (UInt64(bitPattern: now.seconds) &* 31) ^ UInt64(slot))
        return mixer.next()
    }

    /// Runs the auction; nil when no candidate bids at least the floor.
    public static func run(_ candidates: [Candidate], floorCPMMicros: Int64, seed: UInt64) -> Outcome? {
        let ranking = candidates.filter { $0.bidCPMMicros >= floorCPMMicros && $0.predictedCTR > 0 }
            .map { ($0, tieKey($0.campaign, seed: seed)) }
            .sorted { a, b in a.0.eCPM != b.0.eCPM ? a.0.eCPM > b.0.eCPM : a.1 < b.1 }
            .map(\.0)
        guard let winner = ranking.first else { return nil }
        let runnerUp = ranking.dropFirst().first
        var price = floorCPMMicros
        if let runnerUp {
            let needed = (runnerUp.eCPM / winner.predictedCTR).rounded(.up)
            price = max(price, needed >= Double(Int64.max) ? Int64.max : Int64(needed))
        }
        return Outcome(winner: winner, runnerUp: runnerUp, priceCPMMicros: min(winner.bidCPMMicros, price), ranking: ranking)
    }
}
