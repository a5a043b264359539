import StatusAds
import StatusCore

/// The `ads` section of the configuration: serving knobs, manifest limits and the creative
/// media policy. Keys left out keep their defaults; unknown keys are errors.
public struct AdsConfiguration: Sendable, Equatable, Codable {
    /// Insertion, auction, pacing and ad-free rules.
    public var policy: AdsPolicy
    /// What a manifest is checked against.
    public var limits: AdManifestLimits
    /// Longest video creative, in seconds.
    public var maxVideoSeconds: Double
    /// Accepted width ÷ height of a creative (portrait-friendly by default: 9:18 to 5:4).
    public var minAspect: Double
    public var maxAspect: Double
    /// The key event tokens are signed with. Set your own in production; the default is for
    /// development only.
    public var tokenSecret: String
    /// How long the ad path may take before the organic feed is served without ads.
    public var timeBudgetMilliseconds: Int
    /// A serving process leases budget for about this many impressions of a campaign at its bid
    /// at a time (less when less is left or pacing allows less).
    public var leaseImpressions: Int
    /// A lease not renewed for this long is reclaimed by anyone (its holder died); a holder
    /// renews its leases each time it records served ads.
    public var leaseSeconds: Int
    /// Served ads are recorded in one transaction at most this often.
    public var recordIntervalMilliseconds: Int

    public init(policy: AdsPolicy = .default, limits: AdManifestLimits = .default, maxVideoSeconds: Double = 30,
                minAspect: Double = 0.5, maxAspect: Double = 1.25, tokenSecret: String = "status-engine-development-secret",
                timeBudgetMilliseconds: Int = 20, leaseImpressions: Int = 100, leaseSeconds: Int = 120,
                recordIntervalMilliseconds: Int = 100) {
        self.leaseImpressions = leaseImpressions
        self.leaseSeconds = leaseSeconds
        self.recordIntervalMilliseconds = recordIntervalMilliseconds
        self.policy = policy
        self.limits = limits
        self.maxVideoSeconds = maxVideoSeconds
        self.minAspect = minAspect
        self.maxAspect = maxAspect
        self.tokenSecret = tokenSecret
        self.timeBudgetMilliseconds = timeBudgetMilliseconds
    }

    public static let `default` = AdsConfiguration()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case firstAdAfter = "first_ad_after"
        case minGap = "min_gap"
        case maxAds = "max_ads"
        case minOrganicGroups = "min_organic_groups"
        case floorCPMMicros = "floor_cpm_micros"
        case ctrPrior = "ctr_prior"
        case ctrPriorStrength = "ctr_prior_strength"
        case minimumAge = "minimum_age"
        case enabledCountries = "enabled_countries"
        case candidatesPerSlot = "candidates_per_slot"
        case hourlyTraffic = "hourly_traffic"
        case pacingLeadSeconds = "pacing_lead_s"
        case headlineMaxGraphemes = "headline_max_graphemes"
        case maxBidCPMMicros = "max_bid_cpm_micros"
        case maxBudgetMicros = "max_budget_micros"
        case maxVideoSeconds = "max_video_s"
        case minAspect = "min_aspect"
        case maxAspect = "max_aspect"
        case tokenSecret = "token_secret"
        case timeBudgetMilliseconds = "time_budget_ms"
        case leaseImpressions = "lease_impressions"
        case leaseSeconds = "lease_s"
        case recordIntervalMilliseconds = "record_interval_ms"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var policy = AdsPolicy.default, limits = AdManifestLimits.default
        // Integers default to a ceiling of a million, which no setting of this section needs to pass.
        func int(_ key: CodingKeys, min: Int, max: Int = 1_000_000) throws -> Int? { try c.integer(key, in: min...max) }
        func positive(_ key: CodingKeys, max: Double = 1_000_000) throws -> Double? { try c.positiveNumber(key, atMost: max) }
        policy.firstAdAfter = try int(.firstAdAfter, min: 1) ?? policy.firstAdAfter
        policy.minGap = try int(.minGap, min: 1) ?? policy.minGap
        policy.maxAds = try int(.maxAds, min: 0) ?? policy.maxAds
        policy.minOrganicGroups = try int(.minOrganicGroups, min: 0) ?? policy.minOrganicGroups
        policy.floorCPMMicros = Int64(try int(.floorCPMMicros, min: 0, max: 1 << 50) ?? Int(policy.floorCPMMicros))
        if let prior = try positive(.ctrPrior) {
            guard prior <= 1 else { throw DecodingError.dataCorruptedError(forKey: .ctrPrior, in: c, debugDescription: "must be at most 1") }
            policy.ctrPrior = prior
        }
        policy.ctrPriorStrength = try positive(.ctrPriorStrength, max: 1_000_000_000) ?? policy.ctrPriorStrength
        policy.minimumAge = try int(.minimumAge, min: 13, max: 150) ?? policy.minimumAge
        if let countries = try c.decodeIfPresent([String].self, forKey: .enabledCountries) {
            if let bad = countries.first(where: { !CountryCode.isAssigned($0) }) {
                throw DecodingError.dataCorruptedError(forKey: .enabledCountries, in: c, debugDescription: "not an ISO 3166-1 alpha-2 code: \(bad)")
            }
            policy.enabledCountries = countries
        }
        policy.candidatesPerSlot = try int(.candidatesPerSlot, min: 1) ?? policy.candidatesPerSlot
        if let traffic = try c.decodeIfPresent([Double].self, forKey: .hourlyTraffic) {
            guard traffic.count == 24, traffic.allSatisfy({ $0 >= 0 && $0 <= 1_000_000 }), traffic.contains(where: { $0 > 0 }) else {
                throw DecodingError.dataCorruptedError(forKey: .hourlyTraffic, in: c, debugDescription: "must be 24 weights of 0…1000000, not all zero")
            }
            policy.hourlyTraffic = traffic
        }
        policy.pacingLeadSeconds = Int64(try int(.pacingLeadSeconds, min: 0, max: 86_400) ?? Int(policy.pacingLeadSeconds))
        limits.headlineMaxGraphemes = try int(.headlineMaxGraphemes, min: 1) ?? limits.headlineMaxGraphemes
        limits.maxBidCPMMicros = Int64(try int(.maxBidCPMMicros, min: 1, max: 1 << 50) ?? Int(limits.maxBidCPMMicros))
        limits.maxBudgetMicros = Int64(try int(.maxBudgetMicros, min: 1, max: 1 << 50) ?? Int(limits.maxBudgetMicros))
        limits.minimumAge = policy.minimumAge
        self.policy = policy
        self.limits = limits
        maxVideoSeconds = try positive(.maxVideoSeconds, max: 3_600) ?? 30
        minAspect = try positive(.minAspect, max: 100) ?? 0.5
        maxAspect = try positive(.maxAspect, max: 100) ?? 1.25
        guard minAspect <= maxAspect else {
            throw DecodingError.dataCorruptedError(forKey: .minAspect, in: c, debugDescription: "min_aspect is over max_aspect")
        }
        tokenSecret = try c.decodeIfPresent(String.self, forKey: .tokenSecret) ?? AdsConfiguration.default.tokenSecret
        guard tokenSecret.utf8.count >= 16 else {
            throw DecodingError.dataCorruptedError(forKey: .tokenSecret, in: c, debugDescription: "must be at least 16 bytes")
        }
        timeBudgetMilliseconds = try int(.timeBudgetMilliseconds, min: 1, max: 600_000) ?? 20
        leaseImpressions = try int(.leaseImpressions, min: 1) ?? 100
        leaseSeconds = try int(.leaseSeconds, min: 1, max: 86_400) ?? 120
        recordIntervalMilliseconds = try int(.recordIntervalMilliseconds, min: 1, max: 3_600_000) ?? 100
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy.firstAdAfter, forKey: .firstAdAfter)
        try c.encode(policy.minGap, forKey: .minGap)
        try c.encode(policy.maxAds, forKey: .maxAds)
        try c.encode(policy.minOrganicGroups, forKey: .minOrganicGroups)
        try c.encode(policy.floorCPMMicros, forKey: .floorCPMMicros)
        try c.encode(policy.ctrPrior, forKey: .ctrPrior)
        try c.encode(policy.ctrPriorStrength, forKey: .ctrPriorStrength)
        try c.encode(policy.minimumAge, forKey: .minimumAge)
        try c.encode(policy.enabledCountries, forKey: .enabledCountries)
        try c.encode(policy.candidatesPerSlot, forKey: .candidatesPerSlot)
        try c.encode(policy.hourlyTraffic, forKey: .hourlyTraffic)
        try c.encode(policy.pacingLeadSeconds, forKey: .pacingLeadSeconds)
        try c.encode(limits.headlineMaxGraphemes, forKey: .headlineMaxGraphemes)
        try c.encode(limits.maxBidCPMMicros, forKey: .maxBidCPMMicros)
        try c.encode(limits.maxBudgetMicros, forKey: .maxBudgetMicros)
        try c.encode(maxVideoSeconds, forKey: .maxVideoSeconds)
        try c.encode(minAspect, forKey: .minAspect)
        try c.encode(maxAspect, forKey: .maxAspect)
        try c.encode(tokenSecret, forKey: .tokenSecret)
        try c.encode(timeBudgetMilliseconds, forKey: .timeBudgetMilliseconds)
        try c.encode(leaseImpressions, forKey: .leaseImpressions)
        try c.encode(leaseSeconds, forKey: .leaseSeconds)
        try c.encode(recordIntervalMilliseconds, forKey: .recordIntervalMilliseconds)
    }
}
