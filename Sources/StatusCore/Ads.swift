/// The ad inventory's value types: advertisers, campaigns and creatives, as ad ops load them.
/// Money is always integer micro-units (1 unit = 1,000,000 micros); times are ``Timestamp``s.

/// An id chosen by ad ops: 1–64 characters of `A–Z a–z 0–9 _ - . :`.
public protocol InventoryIdentifier: Identifier {
    init(unchecked rawValue: String)
}

extension InventoryIdentifier {
    public init?(rawValue: String) {
        guard Self.isWellFormed(rawValue) else { return nil }
        self.init(unchecked: rawValue)
    }

    /// Whether `raw` is 1–64 characters of `A–Z a–z 0–9 _ - . :`.
    public static func isWellFormed(_ raw: String) -> Bool {
        let bytes = raw.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
                || b == 0x2E || b == 0x3A
        }
    }
}

public struct AdvertiserID: InventoryIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
    public static let explanation = "an advertiser id (1–64 characters of A–Z a–z 0–9 _ - . :)"
}

public struct CampaignID: InventoryIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
    public static let explanation = "a campaign id (1–64 characters of A–Z a–z 0–9 _ - . :)"
}

public struct CreativeID: InventoryIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
    public static let explanation = "a creative id (1–64 characters of A–Z a–z 0–9 _ - . :)"
}

/// A business that buys Status ads; `chat` is the handle a click-to-chat ad opens.
public struct Advertiser: Hashable, Sendable {
    public var id: AdvertiserID
    public var name: String
    public var chat: String?

    public init(id: AdvertiserID, name: String, chat: String?) {
        self.id = id
        self.name = name
        self.chat = chat
    }
}

/// Who a campaign may reach. An empty list means anyone; ages are inclusive.
public struct Targeting: Hashable, Sendable {
    /// ISO 3166-1 alpha-2 codes.
    public var countries: [String]
    /// BCP 47 tags; a viewer's `pt-BR` matches a campaign's `pt`.
    public var languages: [String]
    public var ages: ClosedRange<Int>?

    public init(countries: [String] = [], languages: [String] = [], ages: ClosedRange<Int>? = nil) {
        self.countries = Array(Set(countries)).sorted()
        self.languages = Array(Set(languages)).sorted()
        self.ages = ages
    }

    public static let anyone = Targeting()
}

/// How a daily budget is spent.
public enum Pacing: String, Hashable, Sendable, CaseIterable {
    /// Spread over the day in proportion to expected traffic.
    case even
    /// As demand comes.
    case asap
}

/// At most `max` served impressions per viewer within `windowSeconds`, counted per campaign or
/// across all of the advertiser's campaigns.
public struct FrequencyCap: Hashable, Sendable {
    public enum Scope: String, Hashable, Sendable, CaseIterable {
        case campaign
        case advertiser
    }

    public var scope: Scope
    public var max: Int
    public var windowSeconds: Int64

    public init(scope: Scope, max: Int, windowSeconds: Int64) {
        self.scope = scope
        self.max = max
        self.windowSeconds = windowSeconds
    }
}

public struct Campaign: Hashable, Sendable {
    public var id: CampaignID
    public var advertiser: AdvertiserID
    /// The most paid per thousand impressions.
    public var bidCPMMicros: Int64
    public var dailyBudgetMicros: Int64
    public var totalBudgetMicros: Int64
    /// The flight: served from `start` (inclusive) to `end` (exclusive).
    public var start: Timestamp
    public var end: Timestamp
    public var targeting: Targeting
    public var pacing: Pacing
    public var frequencyCaps: [FrequencyCap]
    /// False once paused by ad ops.
    public var active: Bool

    public init(id: CampaignID, advertiser: AdvertiserID, bidCPMMicros: Int64, dailyBudgetMicros: Int64,
                totalBudgetMicros: Int64, start: Timestamp, end: Timestamp, targeting: Targeting = .anyone,
                pacing: Pacing = .even, frequencyCaps: [FrequencyCap] = [], active: Bool = true) {
        self.id = id
        self.advertiser = advertiser
        self.bidCPMMicros = bidCPMMicros
        self.dailyBudgetMicros = dailyBudgetMicros
        self.totalBudgetMicros = totalBudgetMicros
        self.start = start
        self.end = end
        self.targeting = targeting
        self.pacing = pacing
        self.frequencyCaps = frequencyCaps
        self.active = active
    }
}

/// What tapping an ad does.
public enum CallToAction: Hashable, Sendable {
    /// Opens a chat with the advertiser (click-to-chat).
    case message
    /// Opens an https address.
    case visit(url: String)
}

public struct Creative: Hashable, Sendable {
    public var id: CreativeID
    public var campaign: CampaignID
    /// The media file, as named in the manifest (relative to it).
    public var media: String
    public var headline: String
    public var callToAction: CallToAction

    public init(id: CreativeID, campaign: CampaignID, media: String, headline: String, callToAction: CallToAction) {
        self.id = id
        self.campaign = campaign
        self.media = media
        self.headline = headline
        self.callToAction = callToAction
    }
}
