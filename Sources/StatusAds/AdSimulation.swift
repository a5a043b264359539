import Foundation
import StatusCore

/// A day (or a few hours) of synthetic feed requests against an inventory, in memory: nothing
/// is charged or stored. Requests arrive along the policy's hourly traffic curve; viewers are
/// drawn from a synthetic audience; each served ad is clicked at a per-campaign true rate. Shows
/// how pacing spreads each campaign's spend against its daily budget, and which caps bind.
public struct AdSimulation: Sendable {
    public struct CampaignResult: Sendable {
        public var campaign: Campaign
        public var served: Int
        public var clicks: Int
        public var spentMicros: Int64
        /// Cumulative spend at the end of each simulated hour.
        public var spendByHour: [Int64]
        /// The first hour (0-based) by whose end 99% of the daily budget was spent, if any.
        public var dryAtHour: Int?
        /// Requests where the campaign matched but a frequency cap kept it out.
        public var cappedRequests: Int

        /// Spend ÷ daily budget.
        public var budgetShare: Double { Double(spentMicros) / Double(campaign.dailyBudgetMicros) }
    }

    public var hours: Int
    public var requests: Int
    public var campaigns: [CampaignResult]

    /// Runs `requests` requests over `hours` hours from `start` (midnight UTC for a day).
    public static func run(inventory: AdInventory, policy: AdsPolicy, start: Timestamp, hours: Int, requests: Int,
                           seed: UInt64, viewers: Int = 5_000) -> AdSimulation {
        var random = SplitMix64(seed: seed)
        let campaigns = inventory.index.campaigns
        // The audience: countries and languages the inventory targets, plus others; adult ages.
        var countries = Array(Set(campaigns.flatMap(\.targeting.countries))).sorted()
        countries += ["EG", "SA", "BR", "IN", "NG", "DE"].filter { !countries.contains($0) }
        var languages = Array(Set(campaigns.flatMap(\.targeting.languages))).sorted()
        languages += ["ar", "en", "pt-BR", "hi", "fr"].filter { !languages.contains($0) }
        let audience = (0..<max(1, viewers)).map { n in
            (UserID("sim\(n)"), AdAudienceMember(country: countries[Int(random.next() % UInt64(countries.count))],
                                                 language: languages[Int(random.next() % UInt64(languages.count))],
                                                 age: 18 + Int(random.next() % 50)))
        }
        // Each campaign's true click rate, unknown to the auction.
        var trueCTR: [CampaignID: Double] = [:]
        for campaign in campaigns { trueCTR[campaign.id] = 0.005 + Double(random.next() % 1_000) / 40_000 }

        // Request times along the traffic curve.
        let seconds = Int64(max(1, hours)) * 3_600
        var times: [Int64] = []
        times.reserveCapacity(requests)
        for _ in 0..<max(0, requests) {
            // Inverse of the cumulative traffic share, by bisection over the window.
            let target = Double(random.next() % 1_000_000) / 1_000_000
            var low: Int64 = 0, high = seconds
            while high - low > 1 {
                let mid = (low + high) / 2
                if share(policy, start: start, offset: mid, window: seconds) < target { low = mid } else { high = mid }
            }
            times.append(low)
        }
        times.sort()

        let anyCaps = campaigns.contains { !$0.frequencyCaps.isEmpty }
        var counters: [CampaignID: CampaignCounters] = [:]
        var served: [CampaignID: Int] = [:], capped: [CampaignID: Int] = [:]
        var byHour: [CampaignID: [Int64]] = [:]
        var impressions: [UserID: [ServedImpression]] = [:]
        var hour = 0
        var day = AdServe.day(of: start)
        func closeHours(upTo next: Int) {
            while hour < next {
                for campaign in campaigns { byHour[campaign.id, default: []].append(counters[campaign.id]?.spentTotal ?? 0) }
                hour += 1
            }
        }
        for offset in times {
            let now = start + offset
            closeHours(upTo: Int(offset / 3_600))
            if AdServe.day(of: now) != day {
                day = AdServe.day(of: now)
                for id in counters.keys { counters[id]?.spentToday = 0 }
            }
            let (viewer, member) = audience[Int(random.next() % UInt64(audience.count))]
            let recent = impressions[viewer, default: []].filter { now.seconds - $0.at.seconds < 90 * 86_400 }
            let request = AdRequest(viewer: viewer, audience: member, adFree: nil, organicGroups: 3 + Int(random.next() % 13),
                                    recentImpressions: recent, now: now)
            // Which of the matching campaigns with caps a cap kept out: through the targeting
            // index, so a large inventory costs what the request matches, not every campaign.
            if anyCaps {
                inventory.index.forEachMatch(member) { rank in
                    let campaign = campaigns[rank]
                    if !campaign.frequencyCaps.isEmpty,
                       AdSelector.ineligibility(campaign, counters: counters[campaign.id] ?? .zero, request: request, policy: policy)?
                           .hasPrefix("frequency cap") == true {
                        capped[campaign.id, default: 0] += 1
                    }
                    return true
                }
            }
            for placement in AdSelector.select(request, inventory: inventory, counters: { counters[$0] ?? .zero }, policy: policy) {
                let id = placement.campaign.id
                var state = counters[id] ?? .zero
                state.spentToday += placement.costMicros
                state.spentTotal += placement.costMicros
                state.impressions += 1
                if Double(random.next() % 1_000_000) / 1_000_000 < trueCTR[id] ?? 0 { state.clicks += 1 }
                counters[id] = state
                served[id, default: 0] += 1
                impressions[viewer, default: []].append(ServedImpression(campaign: id, advertiser: placement.campaign.advertiser, at: now))
            }
        }
        closeHours(upTo: max(1, hours))
        let results = campaigns.sorted { $0.id < $1.id }.map { campaign -> CampaignResult in
            let hours = byHour[campaign.id] ?? []
            let dry = hours.firstIndex { Double($0) >= 0.99 * Double(campaign.dailyBudgetMicros) }
            let state = counters[campaign.id] ?? .zero
            return CampaignResult(campaign: campaign, served: served[campaign.id] ?? 0, clicks: state.clicks, spentMicros: state.spentTotal,
                                  spendByHour: hours, dryAtHour: dry, cappedRequests: capped[campaign.id] ?? 0)
        }
        return AdSimulation(hours: max(1, hours), requests: requests, campaigns: results)
    }

    /// The share of the window's traffic before `offset`.
    private static func share(_ policy: AdsPolicy, start: Timestamp, offset: Int64, window: Int64) -> Double {
        func cumulative(_ second: Int64) -> Double {
            let whole = Double(second / 86_400)
            let within = second % 86_400
            return whole + policy.trafficShare(atSecondOfDay: within)
        }
        let base = ((start.seconds % 86_400) + 86_400) % 86_400
        let total = cumulative(base + window) - cumulative(base)
        guard total > 0 else { return Double(offset) / Double(window) }
        return (cumulative(base + offset) - cumulative(base)) / total
    }

    /// An SVG chart: each campaign's cumulative spend over the hours (solid), its daily budget
    /// (dashed), one colour per campaign, with axes and a legend.
    public func svg() -> String {
        let width = 960.0, height = 540.0, left = 80.0, right = 250.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let peak = max(1, campaigns.map { max(Double($0.campaign.dailyBudgetMicros), Double($0.spentMicros)) }.max() ?? 1) * 1.1
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
        func x(_ hour: Double) -> Double { left + plotW * hour / Double(hours) }
        func y(_ micros: Double) -> Double { top + plotH * (1 - micros / peak) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="24" font-size="15">Spend over \(hours) h of \(requests) simulated requests (solid) against daily budgets (dashed)</text>

            """
        // Axes and grid.
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"black\"/>\n"
        let step = max(1, hours / 12)
        for hour in stride(from: 0, through: hours, by: step) {
            svg += "<text x=\"\(f(x(Double(hour))))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(hour) h</text>\n"
        }
        for tick in 0...5 {
            let value = peak / 1.1 * Double(tick) / 5
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(value)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(value)))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(f(value / 1_000_000))</text>\n"
        }
        svg += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" transform=\"rotate(-90 16 \(f(top + plotH / 2)))\" text-anchor=\"middle\">spend (units)</text>\n"
        for (index, result) in campaigns.enumerated() {
            let colour = colours[index % colours.count]
            let points = ([0] + result.spendByHour).enumerated().map { "\(f(x(Double($0.offset)))),\(f(y(Double($0.element))))" }
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            let budget = y(Double(result.campaign.dailyBudgetMicros))
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(budget))\" x2=\"\(f(left + plotW))\" y2=\"\(f(budget))\" stroke=\"\(colour)\" stroke-dasharray=\"6 4\"/>\n"
            let legendY = top + 20 + Double(index) * 36
            svg += "<line x1=\"\(f(width - right + 16))\" y1=\"\(f(legendY))\" x2=\"\(f(width - right + 40))\" y2=\"\(f(legendY))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(f(width - right + 46))\" y=\"\(f(legendY + 4))\">\(escape(result.campaign.id.rawValue)) (\(result.campaign.pacing.rawValue))</text>\n"
            svg += "<text x=\"\(f(width - right + 46))\" y=\"\(f(legendY + 18))\" fill=\"#555\">\(f(result.budgetShare * 100))% of daily budget</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }
}
