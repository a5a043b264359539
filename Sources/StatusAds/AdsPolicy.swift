import StatusCore

/// The knobs of ad serving; `config/` holds the same defaults.
public struct AdsPolicy: Hashable, Sendable {
    /// The first ad comes after this many author groups.
    public var firstAdAfter = 2
    /// At least this many author groups between two ads.
    public var minGap = 3
    /// At most this many ads in one feed.
    public var maxAds = 3
    /// No ads in a feed with fewer author groups than this.
    public var minOrganicGroups = 2
    /// The lowest price per thousand impressions, in micros.
    public var floorCPMMicros: Int64 = 100_000
    /// The click rate a creative starts with, and how many impressions that prior is worth.
    public var ctrPrior = 0.01
    public var ctrPriorStrength = 1_000.0
    /// Viewers younger than this (or of unknown age) get no ads.
    public var minimumAge = 18
    /// Countries where ads are shown; empty means everywhere. Viewers of unknown country get
    /// ads only when this is empty.
    public var enabledCountries: [String] = []
    /// Candidates found eligible per slot before the auction (best-ranked first).
    public var candidatesPerSlot = 8
    /// Expected share of a day's traffic in each UTC hour (24 weights, any scale): `even` pacing
    /// spreads a daily budget in proportion.
    public var hourlyTraffic: [Double] = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 6, 6, 5.5, 5.5, 6, 6, 5.5, 5, 5, 5.5, 6, 6.5, 7, 6.5, 5, 3]
    /// How far ahead of the traffic curve an even-paced campaign may spend, in seconds.
    public var pacingLeadSeconds: Int64 = 1_800

    public init() {}

    public static let `default` = AdsPolicy()
}

/// Where ads go in a feed of author groups.
public enum InsertionPolicy {
    /// Slot positions, each the number of author groups before the ad: never first, never last,
    /// never inside a group; the first after `firstAdAfter` groups, then at least `minGap` groups
    /// apart, at most `maxAds`; none below `minOrganicGroups`.
    public static func positions(groups: Int, policy: AdsPolicy) -> [Int] {
        guard groups >= max(2, policy.minOrganicGroups), policy.maxAds > 0 else { return [] }
        var positions: [Int] = []
        var next = max(1, policy.firstAdAfter)
        while next <= groups - 1 && positions.count < policy.maxAds {
            positions.append(next)
            next += max(1, policy.minGap)
        }
        return positions
    }
}

/// Why a viewer gets no ads, if they get none.
public enum AdFreeReason: String, Hashable, Sendable {
    case optedOut = "opted_out"
    case underMinimumAge = "under_minimum_age"
    case unknownAge = "unknown_age"
    case countryNotEnabled = "country_not_enabled"
}

extension AdsPolicy {
    /// Nil when `user` may be shown ads at `now`, else why not.
    public func adFreeReason(_ user: User, at now: Timestamp) -> AdFreeReason? {
        if !user.ads { return .optedOut }
        guard let birthYear = user.birthYear else { return .unknownAge }
        // The age a person may have at most; under the minimum if even that is too young.
        if Int(now.civil.year) - birthYear - 1 < minimumAge { return .underMinimumAge }
        if !enabledCountries.isEmpty {
            guard let country = user.country, enabledCountries.contains(country) else { return .countryNotEnabled }
        }
        return nil
    }

    /// The share of a day's expected traffic before `secondOfDay` (0 at midnight UTC, 1 at the end).
    public func trafficShare(atSecondOfDay secondOfDay: Int64) -> Double {
        let weights = hourlyTraffic.count == 24 ? hourlyTraffic.map { max(0, $0) } : [Double](repeating: 1, count: 24)
        let total = weights.reduce(0, +)
        guard total > 0 else { return Double(secondOfDay) / 86_400 }
        let clamped = min(max(secondOfDay, 0), 86_400)
        let hour = Int(clamped / 3_600)
        var before = weights.prefix(hour).reduce(0, +)
        if hour < 24 { before += weights[hour] * Double(clamped % 3_600) / 3_600 }
        return before / total
    }

    /// What a campaign may have spent today by `now` and still be served.
    public func dailyAllowance(_ campaign: Campaign, at now: Timestamp) -> Int64 {
        switch campaign.pacing {
        case .asap:
            return campaign.dailyBudgetMicros
        case .even:
            let second = ((now.seconds % 86_400) + 86_400) % 86_400
            let share = trafficShare(atSecondOfDay: second + pacingLeadSeconds)
            return min(campaign.dailyBudgetMicros, Int64((Double(campaign.dailyBudgetMicros) * share).rounded(.up)))
        }
    }
}
