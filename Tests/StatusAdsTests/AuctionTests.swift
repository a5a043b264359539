import StatusAds
import StatusCore
import Testing

@Suite struct AuctionTests {
    /// The auction written out plainly: best eCPM wins (ties to the lower tie key), the next one
    /// sets the price, clamped to [floor, bid].
    func reference(_ candidates: [Auction.Candidate], floor: Int64, seed: UInt64) -> (CampaignID, CampaignID?, Int64)? {
        var eligible = candidates.filter { $0.bidCPMMicros >= floor }
        guard !eligible.isEmpty else { return nil }
        func better(_ a: Auction.Candidate, _ b: Auction.Candidate) -> Bool {
            let x = Double(a.bidCPMMicros) * a.predictedCTR, y = Double(b.bidCPMMicros) * b.predictedCTR
            if x != y { return x > y }
            return Auction.tieKey(a.campaign, seed: seed) < Auction.tieKey(b.campaign, seed: seed)
        }
        var best = eligible[0]
        for candidate in eligible where better(candidate, best) { best = candidate }
        eligible.removeAll { $0.campaign == best.campaign }
        guard var second = eligible.first else { return (best.campaign, nil, floor) }
        for candidate in eligible where better(candidate, second) { second = candidate }
        let needed = Int64((Double(second.bidCPMMicros) * second.predictedCTR / best.predictedCTR).rounded(.up))
        return (best.campaign, second.campaign, min(best.bidCPMMicros, max(floor, needed)))
    }

    @Test func winnerAndPriceMatchThePlainReferenceOnRandomAuctions() {
        var random = SplitMix64(seed: 3)
        for round in 0..<5_000 {
            let count = Int.random(in: 0...12, using: &random)
            let candidates = (0..<count).map { n in
                Auction.Candidate(campaign: CampaignID(rawValue: "c\(n)")!, advertiser: AdvertiserID(rawValue: "a\(n)")!,
                                  // Few distinct bids and rates, so ties happen.
                                  bidCPMMicros: Int64(Int.random(in: 1...6, using: &random)) * 500_000,
                                  predictedCTR: [0.01, 0.02, 0.005, 0.04][Int.random(in: 0..<4, using: &random)])
            }
            let floor = Int64(Int.random(in: 0...4, using: &random)) * 500_000
            let seed = random.next()
            let outcome = Auction.run(candidates.shuffled(using: &random), floorCPMMicros: floor, seed: seed)
            let expected = reference(candidates, floor: floor, seed: seed)
            #expect(outcome?.winner.campaign == expected?.0, "round \(round)")
            #expect(outcome?.runnerUp?.campaign == expected?.1, "round \(round)")
            #expect(outcome?.priceCPMMicros == expected?.2, "round \(round)")
            if let outcome {
                #expect(outcome.priceCPMMicros <= outcome.winner.bidCPMMicros && outcome.priceCPMMicros >= floor)
            }
        }
    }

    @Test func theWinnerPaysWhatItNeededToStayFirst() {
        let a = Auction.Candidate(campaign: CampaignID(rawValue: "a")!, advertiser: AdvertiserID(rawValue: "x")!,
                                  bidCPMMicros: 4_000_000, predictedCTR: 0.02)       // eCPM 80,000
        let b = Auction.Candidate(campaign: CampaignID(rawValue: "b")!, advertiser: AdvertiserID(rawValue: "y")!,
                                  bidCPMMicros: 3_000_000, predictedCTR: 0.01)       // eCPM 30,000
        let outcome = Auction.run([b, a], floorCPMMicros: 1_000_000, seed: 1)!
        #expect(outcome.winner.campaign.rawValue == "a")
        #expect(outcome.priceCPMMicros == 1_500_000)                   // 30,000 / 0.02
        #expect(Auction.run([a], floorCPMMicros: 1_000_000, seed: 1)?.priceCPMMicros == 1_000_000)
        #expect(Auction.run([a, b], floorCPMMicros: 5_000_000, seed: 1) == nil)
    }

    @Test func theClickRateStartsAtThePriorAndFollowsEvidence() {
        #expect(Auction.predictedCTR(clicks: 0, impressions: 0, prior: 0.01, strength: 1_000) == 0.01)
        let many = Auction.predictedCTR(clicks: 500, impressions: 10_000, prior: 0.01, strength: 1_000)
        #expect(abs(many - 510.0 / 11_000) < 1e-12)
        #expect(Auction.predictedCTR(clicks: 0, impressions: 1_000_000, prior: 0.01, strength: 1_000) > 0)
    }

    @Test func tieBreaksDependOnTheRequestAndRepeatForTheSameOne() {
        let viewer = UserID("u1")
        let now = Timestamp(seconds: 1_795_000_000)
        #expect(Auction.seed(viewer: viewer, slot: 0, at: now) == Auction.seed(viewer: viewer, slot: 0, at: now))
        #expect(Auction.seed(viewer: viewer, slot: 0, at: now) != Auction.seed(viewer: viewer, slot: 1, at: now))
        let tied = (0..<10).map {
            Auction.Candidate(campaign: CampaignID(rawValue: "c\($0)")!, advertiser: AdvertiserID(rawValue: "a\($0)")!,
                              bidCPMMicros: 1_000_000, predictedCTR: 0.01)
        }
        let winners = Set((0..<50).map { slot in
            Auction.run(tied, floorCPMMicros: 0, seed: Auction.seed(viewer: viewer, slot: slot, at: now))!.winner.campaign
        })
        #expect(winners.count > 3)
    }
}
