/// What the store keeps for sponsored Status ads: the inventory, each campaign's spend and
/// counts, every served ad (with its event token's id), events counted once, and the
/// advertisers each viewer hid or blocked.

/// A served impression, as frequency caps count them.
public struct ServedImpression: Hashable, Sendable {
    public var campaign: CampaignID
    public var advertiser: AdvertiserID
    public var at: Timestamp
    /// The served ad's token id, when known: the same ad seen twice counts once.
    public var token: String?

    public init(campaign: CampaignID, advertiser: AdvertiserID, at: Timestamp, token: String? = nil) {
        self.campaign = campaign
        self.advertiser = advertiser
        self.at = at
        self.token = token
    }
}

/// A campaign's counters as the store keeps them.
public struct CampaignCounters: Hashable, Sendable {
    /// Spent on the UTC day of the request, and in all, in micros.
    public var spentToday: Int64
    public var spentTotal: Int64
    /// Impressions and clicks so far, for the click rate.
    public var impressions: Int
    public var clicks: Int

    public init(spentToday: Int64 = 0, spentTotal: Int64 = 0, impressions: Int = 0, clicks: Int = 0) {
        self.spentToday = spentToday
        self.spentTotal = spentTotal
        self.impressions = impressions
        self.clicks = clicks
    }

    public static let zero = CampaignCounters()
}

/// A creative as stored: as loaded, with its media's kind and size and its files.
public struct StoredCreative: Hashable, Sendable {
    public var creative: Creative
    public var kind: MediaKind
    public var media: MediaSummary
    /// `original`, `display` and `thumb`, in ``BlobRole`` order.
    public var blobs: [BlobRef]

    public init(creative: Creative, kind: MediaKind, media: MediaSummary, blobs: [BlobRef]) {
        self.creative = creative
        self.kind = kind
        self.media = media
        self.blobs = blobs.sorted { $0.role < $1.role }
    }
}

/// A creative to load: the checked entry, what the media module found, and its files.
public struct CreativeUpload: Sendable {
    public var creative: Creative
    public var kind: MediaKind
    public var media: MediaSummary
    public var files: [BlobUpload]

    public init(creative: Creative, kind: MediaKind, media: MediaSummary, files: [BlobUpload]) {
        self.creative = creative
        self.kind = kind
        self.media = media
        self.files = files
    }
}

/// The stored inventory, with each campaign's lifetime spend.
public struct StoredInventory: Sendable {
    public var advertisers: [Advertiser]
    public var campaigns: [Campaign]
    public var creatives: [StoredCreative]
    public var spent: [CampaignID: Int64]

    public init(advertisers: [Advertiser], campaigns: [Campaign], creatives: [StoredCreative], spent: [CampaignID: Int64]) {
        self.advertisers = advertisers
        self.campaigns = campaigns
        self.creatives = creatives
        self.spent = spent
    }
}

/// A served ad: what is recorded of it, keyed by its event token's id.
public struct AdServe: Hashable, Sendable {
    /// The id inside the event token.
    public var token: String
    public var viewer: UserID
    public var campaign: CampaignID
    public var advertiser: AdvertiserID
    public var creative: CreativeID
    public var slot: Int
    public var priceCPMMicros: Int64
    public var costMicros: Int64
    public var at: Timestamp

    public init(token: String, viewer: UserID, campaign: CampaignID, advertiser: AdvertiserID, creative: CreativeID,
                slot: Int, priceCPMMicros: Int64, costMicros: Int64, at: Timestamp) {
        self.token = token
        self.viewer = viewer
        self.campaign = campaign
        self.advertiser = advertiser
        self.creative = creative
        self.slot = slot
        self.priceCPMMicros = priceCPMMicros
        self.costMicros = costMicros
        self.at = at
    }

    /// The UTC day (days since 1970-01-01) whose budget it is charged to.
    public var day: Int64 { Self.day(of: at) }

    public static func day(of time: Timestamp) -> Int64 {
        time.seconds >= 0 ? time.seconds / 86_400 : (time.seconds - 86_399) / 86_400
    }
}

/// A campaign's budget for one UTC day, as a serving process leases it.
public struct BudgetKey: Hashable, Sendable {
    public var campaign: CampaignID
    public var day: Int64

    public init(campaign: CampaignID, day: Int64) {
        self.campaign = campaign
        self.day = day
    }
}

/// A request for budget to serve from: up to `wantedMicros` of the campaign's budget for the
/// day, at least `minimumMicros` or nothing, never taking the day's spend past `dailyLimitMicros`
/// (the daily budget or the pacing allowance, whichever is lower) nor the total spend past the
/// lifetime budget.
public struct BudgetRequest: Hashable, Sendable {
    public var key: BudgetKey
    public var wantedMicros: Int64
    public var minimumMicros: Int64
    public var dailyLimitMicros: Int64

    public init(key: BudgetKey, wantedMicros: Int64, minimumMicros: Int64, dailyLimitMicros: Int64) {
        self.key = key
        self.wantedMicros = wantedMicros
        self.minimumMicros = minimumMicros
        self.dailyLimitMicros = dailyLimitMicros
    }
}

/// What ad selection reads of a viewer: the profile targeting may use (no contacts), the
/// advertisers they hid or blocked, and the ads served to them lately.
public struct AdViewer: Hashable, Sendable {
    /// The user with empty contact, block and privacy lists.
    public var profile: User
    public var hidden: Set<AdvertiserID>
    public var served: [ServedImpression]

    public init(profile: User, hidden: Set<AdvertiserID>, served: [ServedImpression]) {
        self.profile = profile
        self.hidden = hidden
        self.served = served
    }
}

/// The campaigns' counters as read at a mark: all of them, or those changed since an earlier mark.
public struct CounterReading: Sendable {
    public var counters: [CampaignID: CampaignCounters]
    /// Pass it back to read only what changed after this reading.
    public var mark: Int64

    public init(counters: [CampaignID: CampaignCounters], mark: Int64) {
        self.counters = counters
        self.mark = mark
    }
}

/// What a viewer did with an ad.
public enum AdEventType: String, Hashable, Sendable, CaseIterable {
    /// The ad was on screen.
    case impression
    /// The viewer tapped the call to action (a click-to-chat conversation start for `message`).
    case click
    /// The viewer hid this ad: the advertiser is not shown to them again.
    case hide
    /// The viewer blocked the advertiser.
    case blockAdvertiser = "block_advertiser"
}

/// What recording an event did.
public enum AdEventOutcome: String, Hashable, Sendable, CaseIterable {
    case recorded
    /// The same event for the same token was counted before.
    case alreadyCounted = "already_counted"
}

/// A click-to-chat conversation start: the chat a click on a `message` ad opens.
public struct ConversationStart: Hashable, Sendable {
    public var advertiser: AdvertiserID
    /// The business's chat handle.
    public var chat: String

    public init(advertiser: AdvertiserID, chat: String) {
        self.advertiser = advertiser
        self.chat = chat
    }
}

/// What recording an event did, with the conversation a click on a `message` ad starts
/// (recorded once, with the click).
public struct AdEventReceipt: Hashable, Sendable {
    public var outcome: AdEventOutcome
    public var conversation: ConversationStart?

    public init(outcome: AdEventOutcome, conversation: ConversationStart? = nil) {
        self.outcome = outcome
        self.conversation = conversation
    }
}

/// One row of the ads report: a creative on a UTC day.
public struct AdReportRow: Hashable, Sendable {
    /// `YYYY-MM-DD`.
    public var day: String
    public var campaign: CampaignID
    public var creative: CreativeID
    public var served: Int
    public var impressions: Int
    public var clicks: Int
    public var spendMicros: Int64
    /// Click-to-chat conversations started (clicks on `message` ads).
    public var conversations: Int

    public init(day: String, campaign: CampaignID, creative: CreativeID, served: Int, impressions: Int, clicks: Int, spendMicros: Int64,
                conversations: Int = 0) {
        self.day = day
        self.campaign = campaign
        self.creative = creative
        self.served = served
        self.impressions = impressions
        self.clicks = clicks
        self.spendMicros = spendMicros
        self.conversations = conversations
    }

    /// Clicks per impression (0 without impressions).
    public var ctr: Double { impressions > 0 ? Double(clicks) / Double(impressions) : 0 }
}

/// The ads half of the store.
public protocol AdStorage: Sendable {
    /// Creates or updates advertisers, campaigns and creatives in one transaction (all or none).
    /// A campaign's total budget may not go below what it has spent (`invalid`); a creative's
    /// media may not change once loaded (`conflict`).
    func loadInventory(advertisers: [Advertiser], campaigns: [Campaign], creatives: [CreativeUpload]) async throws
    func storedInventory() async throws -> StoredInventory
    /// A number that changes whenever the inventory does (load, pause, resume).
    func adInventoryVersion() async throws -> Int64
    /// Pauses or resumes a campaign; `unknown` for a campaign not loaded.
    func setCampaignActive(_ id: CampaignID, active: Bool) async throws -> Campaign
    /// Spend, impressions and clicks per campaign: `spentToday` for `day`, the rest over all
    /// time. With `after` (a reading's mark), only the campaigns whose counters changed since.
    func campaignCounters(day: Int64, after: Int64?) async throws -> CounterReading
    /// The viewer as ad selection sees them, with the ads served to them since `since`; nil for
    /// an unknown user.
    func adViewer(_ viewer: UserID, since: Timestamp) async throws -> AdViewer?
    /// Leases budget to `holder` (a serving process): for each request, as much as it wants
    /// that fits (0 when not even its minimum does), charged to the campaign's spend at once, so
    /// that what all holders may serve from never passes a budget. One transaction, committed
    /// without a sync. The leases expire at `expiresAt` (Unix seconds, wall clock) unless renewed.
    func grantBudget(_ requests: [BudgetRequest], holder: String, expiresAt: Int64) async throws -> [Int64]
    /// Records ads `holder` served from its leases, in one transaction: each once (by token),
    /// its cost counted as used from the lease it came from, which is renewed to `expiresAt`. An
    /// ad whose lease is gone (reclaimed) is charged directly, as far as the budget goes.
    func recordServes(_ serves: [AdServe], holder: String, expiresAt: Int64) async throws
    /// Ends `holder`'s leases (all of them, or those for `keys`): what they did not use is
    /// refunded to the campaigns. Returns the refunds.
    func releaseBudget(holder: String, keys: [BudgetKey]?) async throws -> [BudgetKey: Int64]
    /// Ends every lease that expired before `now` (Unix seconds, wall clock): its holder stopped
    /// renewing it (a process that died). What it did not record is refunded. Returns how many.
    func reclaimExpiredBudget(now: Int64) async throws -> Int
    /// Counts an event for a served ad once; a click on a `message` ad also records a
    /// click-to-chat conversation start. `unknownToken` when no ad was served with `token`.
    func recordAdEvent(token: String, type: AdEventType, at now: Timestamp) async throws -> AdEventReceipt
    /// One row per creative per day with anything served in `days` (UTC day numbers).
    func adReport(days: ClosedRange<Int64>) async throws -> [AdReportRow]
}
