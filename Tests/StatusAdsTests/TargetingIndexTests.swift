import StatusAds
import StatusCore
import Testing

@Suite struct TargetingIndexTests {
    static let countries = ["EG", "SA", "AE", "BR", "IN", "NG"]
    static let languages = ["ar", "pt", "pt-BR", "pt-PT", "en", "hi", "fr"]

    /// Random campaigns with every mix of constrained and free attributes.
    static func inventory(_ random: inout SplitMix64, count: Int) -> [Campaign] {
        let start = Timestamp(seconds: 1_795_000_000)
        return (0..<count).map { n in
            func some(_ list: [String]) -> [String] {
                Double.random(in: 0..<1, using: &random) < 0.4 ? [] : list.filter { _ in Double.random(in: 0..<1, using: &random) < 0.3 }
            }
            var ages: ClosedRange<Int>?
            if Bool.random(using: &random) {
                let low = Int.random(in: 13...70, using: &random)
                ages = low...Int.random(in: low...120, using: &random)
            }
            return Campaign(id: CampaignID(rawValue: "c\(n)")!, advertiser: AdvertiserID(rawValue: "a\(n % 50)")!,
                            bidCPMMicros: 1_000_000, dailyBudgetMicros: 1, totalBudgetMicros: 1, start: start, end: start + 86_400,
                            targeting: Targeting(countries: some(countries), languages: some(languages), ages: ages))
        }
    }

    static func viewer(_ random: inout SplitMix64) -> AdAudienceMember {
        AdAudienceMember(country: countries.randomElement(using: &random),
                         language: Double.random(in: 0..<1, using: &random) < 0.9 ? languages.randomElement(using: &random) : nil,
                         age: Double.random(in: 0..<1, using: &random) < 0.9 ? Int.random(in: 10...90, using: &random) : nil)
    }

    @Test func theIndexFindsExactlyWhatAScanFindsBestFirst() {
        var random = SplitMix64(seed: 1)
        var compared = 0
        for _ in 0..<40 {
            let campaigns = Self.inventory(&random, count: Int.random(in: 0...400, using: &random))
            let index = TargetingIndex(ranked: campaigns)
            for _ in 0..<60 {
                var viewer = Self.viewer(&random)
                if Double.random(in: 0..<1, using: &random) < 0.1 { viewer.country = nil }
                let scan = campaigns.indices.filter { campaigns[$0].targeting.admits(viewer) }
                #expect(index.matches(viewer) == scan, "\(viewer)")
                compared += 1
            }
        }
        #expect(compared == 2_400)
    }

    @Test func languagesMatchByPrimaryTagOneWay() {
        let t = Timestamp(seconds: 0)
        let campaigns = ["pt", "pt-BR"].enumerated().map { n, language in
            Campaign(id: CampaignID(rawValue: "c\(n)")!, advertiser: AdvertiserID(rawValue: "a")!, bidCPMMicros: 1,
                     dailyBudgetMicros: 1, totalBudgetMicros: 1, start: t, end: t + 1, targeting: Targeting(languages: [language]))
        }
        let index = TargetingIndex(ranked: campaigns)
        #expect(index.matches(AdAudienceMember(country: nil, language: "pt-BR", age: nil)) == [0, 1])
        #expect(index.matches(AdAudienceMember(country: nil, language: "pt", age: nil)) == [0])
        #expect(index.matches(AdAudienceMember(country: nil, language: "pt-PT", age: nil)) == [0])
        #expect(index.matches(AdAudienceMember(country: nil, language: nil, age: nil)).isEmpty)
    }

    @Test func visitingStopsWhenAskedAndKeepsRankOrder() {
        var random = SplitMix64(seed: 9)
        let campaigns = Self.inventory(&random, count: 300)
        let index = TargetingIndex(ranked: campaigns)
        let viewer = AdAudienceMember(country: "EG", language: "ar", age: 30)
        var firstThree: [Int] = []
        index.forEachMatch(viewer) { firstThree.append($0); return firstThree.count < 3 }
        #expect(firstThree == Array(index.matches(viewer).prefix(3)))
    }
}
