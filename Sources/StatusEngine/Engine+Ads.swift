@_exported import StatusAds
import Crypto
import Foundation
import StatusMedia

/// What `ads load` did.
public struct AdsLoadReport: Sendable {
    public var advertisers: Int
    public var campaigns: Int
    public var creatives: Int
    /// Every problem, with its location; nothing was loaded if any and the load was not partial.
    public var errors: [ManifestError]
    public var partial: Bool

    /// Whether anything was loaded.
    public var loaded: Bool { advertisers + campaigns + creatives > 0 }

    /// `{"loaded": {"advertisers", "campaigns", "creatives"}, "rejected", "errors": [{"location", "reason"}], "partial"}`.
    public var json: JSONValue {
        .object([
            ("loaded", .object([("advertisers", .int(advertisers)), ("campaigns", .int(campaigns)), ("creatives", .int(creatives))])),
            ("rejected", .int(errors.count)),
            ("errors", .array(errors.map { .object([("location", .string($0.location)), ("reason", .string($0.reason))]) })),
            ("partial", .bool(partial)),
        ])
    }
}

/// An ad placed in a served feed: what the viewer sees and the token its events carry.
public struct PlacedAd: Sendable {
    public var placement: Placement
    public var creative: StoredCreative
    public var token: String
}

/// A feed with its ads.
public struct FeedPage: Sendable {
    public var feed: Feed
    public var ads: [PlacedAd]
    /// Why the feed has no ads, when the ad path gave none: `ad_free:<reason>`, `error`,
    /// `time_budget`, or nil.
    public var adsSkipped: String?
}

extension Engine {
    // MARK: Loading

    /// Checks a manifest (JSON, or CSV of creatives for loaded campaigns when the name ends in
    /// `.csv`) and each creative's media under the ad policy, then loads it in one transaction:
    /// everything, or with `partial` the good entries. Media paths are relative to the manifest's
    /// folder and made of plain names (`RelativePath.isPlain`, checked by the parser), so they
    /// stay inside it, for a folder on disk as for a manifest uploaded over HTTP with its media.
    public func loadAds(manifest path: String, partial: Bool,
                        progress: ProgressReport? = nil) async throws -> AdsLoadReport {
        let bytes: [UInt8]
        do {
            bytes = try MediaFileReader.read(path: path, limit: 16 << 20)
        } catch {
            throw StoreError(.invalid, "cannot read the manifest \(path): \(EngineFailure(error).message)")
        }
        let stored = try await store.storedInventory()
        var loaded: [CampaignID: String?] = [:]
        for campaign in stored.campaigns {
            loaded[campaign.id] = .some(stored.advertisers.first { $0.id == campaign.advertiser }?.chat ?? nil)
        }
        var manifest = path.lowercased().hasSuffix(".csv")
            ? AdManifest.parse(csv: bytes, campaigns: loaded, limits: configuration.ads.limits)
            : AdManifest.parse(json: bytes, loaded: loaded, limits: configuration.ads.limits)
        let folder = (path as NSString).deletingLastPathComponent
        var uploads: [CreativeUpload] = []
        var refused = Set<CreativeID>()
        for (index, creative) in manifest.creatives.enumerated() {
            progress?(index, manifest.creatives.count)
            let file = folder.isEmpty ? creative.media : folder + "/" + creative.media
            do {
                uploads.append(try await creativeUpload(creative, file: file))
            } catch {
                refused.insert(creative.id)
                manifest.errors.append(ManifestError(location: (manifest.locations[creative.id] ?? "creative \(creative.id)") + ".media",
                                                     reason: EngineFailure(error).message))
            }
        }
        progress?(manifest.creatives.count, manifest.creatives.count)
        var report = AdsLoadReport(advertisers: 0, campaigns: 0, creatives: 0, errors: manifest.errors, partial: partial)
        guard partial || manifest.errors.isEmpty else { return report }
        try await store.loadInventory(advertisers: manifest.advertisers, campaigns: manifest.campaigns, creatives: uploads)
        report.advertisers = manifest.advertisers.count
        report.campaigns = manifest.campaigns.count
        report.creatives = uploads.count
        return report
    }

    /// Validates a creative's media with the media module, then under the ad policy.
    func creativeUpload(_ creative: Creative, file: String) async throws -> CreativeUpload {
        let template = try await renderMediaTemplate(file)
        guard let media = template.media, template.kind == .image || template.kind == .video else {
            throw StoreError(.invalid, "an ad creative is a photo or a video")
        }
        let ads = configuration.ads
        if let duration = media.durationMilliseconds, Double(duration) / 1000 > ads.maxVideoSeconds {
            throw StoreError(.invalid, "the video is \(Double(duration) / 1000) s long; ad videos are at most \(ads.maxVideoSeconds) s")
        }
        let aspect = Double(media.width) / Double(max(1, media.height))
        guard aspect >= ads.minAspect, aspect <= ads.maxAspect else {
            throw StoreError(.invalid, "the media is \(media.width)×\(media.height) (width ÷ height \(String(format: "%.2f", aspect))); ads take \(ads.minAspect) to \(ads.maxAspect)")
        }
        return CreativeUpload(creative: creative, kind: template.kind, media: media, files: template.files)
    }

    public func adInventory() async throws -> StoredInventory { try await store.storedInventory() }

    public func setCampaign(_ id: CampaignID, active: Bool) async throws -> Campaign {
        try await store.setCampaignActive(id, active: active)
    }

    // MARK: Serving

    /// `viewer`'s feed at `now` with its ads. The ad path fails open: if it errors or runs over
    /// its time budget, the organic feed is served without ads (and nothing is charged).
    public func feedWithAds(for viewer: UserID, at now: Timestamp) async throws -> FeedPage {
        let feed = try await feed(for: viewer, at: now)
        let page = await adsFor(feed, viewer: viewer, at: now)
        metrics.adsServed.increment(by: page.ads.count)
        metrics.skipped(page.adsSkipped)
        return page
    }

    private func adsFor(_ feed: Feed, viewer: UserID, at now: Timestamp) async -> FeedPage {
        let started = ContinuousClock.now
        do {
            let policy = configuration.ads.policy
            let snapshot = try await adsCache.snapshot(store: store, policy: policy, at: now)
            guard var state = try await store.adViewer(viewer, since: now + -snapshot.longestCapWindow) else {
                throw StoreError(.unknownUser, "no user \(viewer)")
            }
            if let reason = policy.adFreeReason(state.profile, at: now) {
                return FeedPage(feed: feed, ads: [], adsSkipped: "ad_free:\(reason.rawValue)")
            }
            guard !InsertionPolicy.positions(groups: feed.groups.count, policy: policy).isEmpty else {
                return FeedPage(feed: feed, ads: [], adsSkipped: nil)
            }
            // Caps count what this process served and has not recorded yet too.
            let stored = state.served
            state.served = adLedger.served(to: viewer, stored: stored)
            let selecting = ContinuousClock.now
            let placements = selectAds(state, feed: feed, snapshot: snapshot, at: now)
            metrics.adSelection.recordNanoseconds(EngineMetrics.nanoseconds(since: selecting))
            guard ContinuousClock.now - started <= .milliseconds(configuration.ads.timeBudgetMilliseconds) else {
                return FeedPage(feed: feed, ads: [], adsSkipped: "time_budget")
            }
            // Lease, in one transaction, what the placements need and this process lacks.
            let day = AdServe.day(of: now)
            var needed: [BudgetRequest] = []
            for placement in placements {
                let key = BudgetKey(campaign: placement.campaign.id, day: day)
                if adLedger.unused(key) < placement.costMicros, !needed.contains(where: { $0.key == key }) {
                    needed.append(budgetRequest(placement.campaign, allowance: placement.allowance, day: day, minimum: placement.costMicros))
                }
            }
            if !needed.isEmpty { adLedger.count { $0.leasesOnFeedPath += 1 } }
            try await lease(needed, counters: snapshot.counters)
            var ads: [PlacedAd] = []
            for placement in placements {
                guard let creative = snapshot.creatives[placement.creative.id] else { continue }
                let token = AdToken.issue(secret: configuration.ads.tokenSecret)
                let serve = AdServe(token: token.id, viewer: viewer, campaign: placement.campaign.id, advertiser: placement.campaign.advertiser,
                                    creative: placement.creative.id, slot: placement.slot, priceCPMMicros: placement.auction.priceCPMMicros,
                                    costMicros: placement.costMicros, at: now)
                // Short when the store granted less than asked (another process spent it), or a
                // feed for the same viewer just took the cap's last place.
                guard adLedger.take(serve, caps: placement.campaign.frequencyCaps, stored: stored) else { continue }
                ads.append(PlacedAd(placement: placement, creative: creative, token: token.text))
            }
            topUpLeases(placements, day: day, counters: snapshot.counters)
            startAdRecorder()
            return FeedPage(feed: feed, ads: ads, adsSkipped: nil)
        } catch let error as StoreError where error.code == .busy {
            return FeedPage(feed: feed, ads: [], adsSkipped: "busy")
        } catch {
            return FeedPage(feed: feed, ads: [], adsSkipped: "error")
        }
    }

    /// A lease of about `ads.lease_impressions` impressions at the bid, within pacing.
    private func budgetRequest(_ campaign: Campaign, allowance: Int64, day: Int64, minimum: Int64) -> BudgetRequest {
        let perImpression = AdSelector.cost(priceCPMMicros: campaign.bidCPMMicros)
        let wanted = perImpression.multipliedReportingOverflow(by: Int64(configuration.ads.leaseImpressions))
        return BudgetRequest(key: BudgetKey(campaign: campaign.id, day: day), wantedMicros: wanted.overflow ? .max : max(wanted.partialValue, minimum),
                             minimumMicros: minimum, dailyLimitMicros: min(campaign.dailyBudgetMicros, allowance))
    }

    private func lease(_ requests: [BudgetRequest], counters: SharedAdsCache.CounterTable) async throws {
        guard !requests.isEmpty else { return }
        try await adLedger.leaseGate.run {
            adLedger.askingForBudget()
            let granted = try await store.grantBudget(requests, holder: adLedger.holder, expiresAt: leaseExpiry())
            for (request, micros) in zip(requests, granted) where micros > 0 {
                adLedger.granted(request.key, micros)
                counters.charged(request.key.campaign, cost: micros, day: request.key.day)
            }
        }
    }

    /// Leases more, in the background, for the campaigns just served whose lease runs low.
    private func topUpLeases(_ placements: [Placement], day: Int64, counters: SharedAdsCache.CounterTable) {
        let keys = adLedger.claimTopUps(placements.map { BudgetKey(campaign: $0.campaign.id, day: day) })
        guard !keys.isEmpty else { return }
        let requests = placements.filter { keys.contains(BudgetKey(campaign: $0.campaign.id, day: day)) }
            .map { budgetRequest($0.campaign, allowance: $0.allowance, day: day, minimum: $0.costMicros) }
        adLedger.count { $0.leasesInBackground += 1 }
        Task.detached { [self] in
            try? await lease(requests, counters: counters)
            adLedger.toppedUp(keys)
        }
    }

    /// Leases live by the wall clock (whether their holder is alive), not by requests' times.
    private func leaseExpiry() -> Int64 { Timestamp.now().seconds + Int64(configuration.ads.leaseSeconds) }

    /// Records the ads this process served and has not recorded yet, in one transaction, and
    /// renews its leases. Runs every `ads.record_interval_ms` while there is anything to record;
    /// call it before relying on the store's view of served ads.
    public func recordServedAds() async throws {
        try await adLedger.recordGate.run { try await recordPending() }
    }

    /// Records what is pending; the caller holds the record gate.
    private func recordPending() async throws {
        let serves = adLedger.drain()
        guard !serves.isEmpty else { return }
        do {
            try await store.recordServes(serves, holder: adLedger.holder, expiresAt: leaseExpiry())
            adLedger.count { $0.recordBatches += 1; $0.adsRecorded += serves.count }
        } catch {
            adLedger.requeue(serves)
            throw error
        }
    }

    /// What this process's ad serving has done since it started.
    public var adServingCounts: AdServingCounts { adLedger.served }

    /// Records what this process served, gives back what is left of its leases and reclaims
    /// leases other processes left to expire: for a process about to exit (a command, a server
    /// shutting down).
    public func settleAds() async throws {
        // A process that served no ad and leased nothing (no ads loaded, or every feed served
        // without ads because the store was locked) has nothing to give back: no write, so a
        // lock held elsewhere does not fail it.
        guard !adLedger.holdsNothing else { return }
        try await releaseLeases(nil)
        // Leases other processes left to expire (they died) go back to their campaigns too; only
        // housekeeping, which the next process to settle or record does if the store is busy now.
        do {
            _ = try await store.reclaimExpiredBudget(now: Timestamp.now().seconds)
        } catch let error as StoreError where error.code == .busy {
        }
    }

    /// Gives leases back: first no feed may take from them any more, then what was taken from
    /// them is recorded (counted as used), and only then is the rest refunded. In another order
    /// an ad taken meanwhile would be served from budget already refunded. No grant runs
    /// meanwhile (it would add to a lease about to be refunded whole).
    private func releaseLeases(_ keys: [BudgetKey]?) async throws {
        guard keys.map({ !$0.isEmpty }) ?? true else { return }
        try await adLedger.leaseGate.run {
            adLedger.forget(keys)
            let refunds = try await adLedger.recordGate.run {
                try await recordPending()
                return try await store.releaseBudget(holder: adLedger.holder, keys: keys)
            }
            for (key, micros) in refunds where micros > 0 { adsCache.refunded(key.campaign, micros, day: key.day) }
        }
    }

    /// Starts the background recorder unless it runs: every `ads.record_interval_ms` it records
    /// served ads, gives back leases of past days or idle for half their lifetime, and now and
    /// then reclaims leases other processes left to expire; it stops when nothing is left.
    private func startAdRecorder() {
        guard adLedger.claimRecorder() else { return }
        let interval = Duration.milliseconds(configuration.ads.recordIntervalMilliseconds)
        let idle = Duration.milliseconds(configuration.ads.leaseSeconds * 500)
        Task.detached { [weak self] in
            // Reclaiming others' expired leases is a write that may wait for the lock: here, off
            // any feed's path, at the first turn and every 30 s.
            var lastReclaim = ContinuousClock.now - .seconds(60)
            while true {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                try? await self.recordServedAds()
                try? await self.releaseLeases(self.adLedger.stale(idle: idle))
                if ContinuousClock.now - lastReclaim > .seconds(30) {
                    _ = try? await self.store.reclaimExpiredBudget(now: Timestamp.now().seconds)
                    lastReclaim = .now
                }
                if self.adLedger.stopRecorderIfIdle() { return }
            }
        }
    }

    /// What `viewer` would be shown at `now`, never charged, recorded or counted against caps:
    /// with `creative`, that creative forced into the first slot (or after the last group of a
    /// short feed); without, the ads the auction would pick. Preview ads carry no event token.
    public func previewAds(for viewer: UserID, creative forced: CreativeID?, at now: Timestamp) async throws -> FeedPage {
        let feed = try await feed(for: viewer, at: now)
        let policy = configuration.ads.policy
        let snapshot = try await adsCache.snapshot(store: store, policy: policy, at: now)
        guard let state = try await store.adViewer(viewer, since: now + -snapshot.longestCapWindow) else {
            throw StoreError(.unknownUser, "no user \(viewer)")
        }
        if let forced {
            guard let creative = snapshot.creatives[forced] else { throw StoreError(.invalid, "no creative \(forced)") }
            guard let campaign = snapshot.inventory.index.campaigns.first(where: { $0.id == creative.creative.campaign }),
                  let advertiser = snapshot.inventory.advertisers[campaign.advertiser] else {
                throw StoreError(.unknownCampaign, "no campaign \(creative.creative.campaign)")
            }
            let candidate = Auction.Candidate(campaign: campaign.id, advertiser: campaign.advertiser, bidCPMMicros: campaign.bidCPMMicros,
                                              predictedCTR: policy.ctrPrior)
            let position = InsertionPolicy.positions(groups: feed.groups.count, policy: policy).first ?? feed.groups.count
            let counters = snapshot.counters[campaign.id]
            let placement = Placement(position: position, slot: 0, campaign: campaign, creative: creative.creative, advertiser: advertiser,
                                      auction: Auction.Outcome(winner: candidate, runnerUp: nil, priceCPMMicros: 0, ranking: [candidate]),
                                      costMicros: 0, spentToday: counters.spentToday, allowance: policy.dailyAllowance(campaign, at: now))
            return FeedPage(feed: feed, ads: [PlacedAd(placement: placement, creative: creative, token: "")], adsSkipped: nil)
        }
        if let reason = policy.adFreeReason(state.profile, at: now) { return FeedPage(feed: feed, ads: [], adsSkipped: "ad_free:\(reason.rawValue)") }
        let placements = selectAds(state, feed: feed, snapshot: snapshot, at: now)
        return FeedPage(feed: feed, ads: placements.compactMap { placement in
            snapshot.creatives[placement.creative.id].map { PlacedAd(placement: placement, creative: $0, token: "") }
        }, adsSkipped: nil)
    }

    /// Replays `requests` synthetic feed requests over `hours` hours from the start of the UTC
    /// day of `now` against the loaded inventory, in memory (nothing charged or stored).
    public func simulateAds(hours: Int, requests: Int, seed: UInt64, at now: Timestamp) async throws -> AdSimulation {
        let stored = try await store.storedInventory()
        let policy = configuration.ads.policy
        let inventory = AdInventory(campaigns: stored.campaigns, creatives: stored.creatives.map(\.creative),
                                    advertisers: stored.advertisers) { _ in policy.ctrPrior }
        let start = Timestamp(seconds: AdServe.day(of: now) * 86_400)
        return AdSimulation.run(inventory: inventory, policy: policy, start: start, hours: hours, requests: requests, seed: seed)
    }

    /// The ads the selector places in `feed` for a viewer who is not ad-free, from their hidden
    /// advertisers and recent impressions as stored.
    private func selectAds(_ viewer: AdViewer, feed: Feed, snapshot: SharedAdsCache.Snapshot, at now: Timestamp) -> [Placement] {
        let request = AdRequest(viewer: viewer.profile.id, audience: AdAudienceMember(viewer.profile, at: now), adFree: nil,
                                organicGroups: feed.groups.count, hiddenAdvertisers: viewer.hidden, recentImpressions: viewer.served, now: now)
        // What this process leased and has not used is budget it may still spend.
        let counters = snapshot.counters, ledger = adLedger, day = AdServe.day(of: now)
        return AdSelector.select(request, inventory: snapshot.inventory, counters: { campaign in
            var counters = counters[campaign]
            let mine = ledger.unused(BudgetKey(campaign: campaign, day: day))
            counters.spentToday -= mine
            counters.spentTotal -= mine
            return counters
        }, policy: configuration.ads.policy)
    }

    // MARK: Events and reports

    /// Counts an ad event once. Forged or unknown tokens are `unknown_token`.
    public func recordAdEvent(token: String, type: AdEventType, at now: Timestamp) async throws -> AdEventReceipt {
        guard let id = AdToken.verify(token, secret: configuration.ads.tokenSecret) else {
            throw StoreError(.unknownToken, "the token is malformed or its signature is wrong")
        }
        // An ad this process served may still wait to be recorded.
        try? await recordServedAds()
        let receipt = try await store.recordAdEvent(token: id, type: type, at: now)
        metrics.event(type, receipt.outcome)
        return receipt
    }

    /// One row per creative per UTC day from `from` to `to` (inclusive).
    public func adsReport(from: Timestamp, to: Timestamp) async throws -> [AdReportRow] {
        try await store.adReport(days: AdServe.day(of: from)...max(AdServe.day(of: from), AdServe.day(of: to)))
    }
}

/// What serving reads of the inventory, kept between feeds: the targeting index (rebuilt when
/// the store's inventory version changes) and the campaigns' counters (those changed since the
/// last reading re-read every second, all of them on a new day, and advanced by this process's
/// own charges). Budgets and caps stay exact whatever the counters say: every charge is
/// re-checked in the store.
final class SharedAdsCache: @unchecked Sendable {
    // @unchecked: `current` is only touched under `lock`.
    struct Snapshot: Sendable {
        var version: Int64
        var inventory: AdInventory
        var creatives: [CreativeID: StoredCreative]
        var longestCapWindow: Int64
        var counters: CounterTable
    }

    static let countersMaxAge = Duration.seconds(1)
    private let lock = NSLock()
    private var current: Snapshot?

    /// This process was refunded `micros` of `campaign`'s spend (a lease given back).
    func refunded(_ campaign: CampaignID, _ micros: Int64, day: Int64) {
        lock.withLock { current }?.counters.refunded(campaign, micros, day: day)
    }

    func snapshot(store: any StatusStorage, policy: AdsPolicy, at now: Timestamp) async throws -> Snapshot {
        let version = try await store.adInventoryVersion()
        let day = AdServe.day(of: now)
        if let snapshot = lock.withLock({ current }), snapshot.version == version {
            switch snapshot.counters.due(day: day) {
            case .none: break
            case .all: snapshot.counters.replace(try await store.campaignCounters(day: day, after: nil), day: day)
            case .changed(let mark): snapshot.counters.merge(try await store.campaignCounters(day: day, after: mark), day: day)
            }
            return snapshot
        }
        let stored = try await store.storedInventory()
        let reading = try await store.campaignCounters(day: day, after: nil)
        let inventory = AdInventory(campaigns: stored.campaigns, creatives: stored.creatives.map(\.creative),
                                    advertisers: stored.advertisers) { id in
            let c = reading.counters[id] ?? .zero
            return Auction.predictedCTR(clicks: c.clicks, impressions: c.impressions, prior: policy.ctrPrior, strength: policy.ctrPriorStrength)
        }
        let snapshot = Snapshot(
            version: version, inventory: inventory,
            creatives: Dictionary(stored.creatives.map { ($0.creative.id, $0) }, uniquingKeysWith: { a, _ in a }),
            longestCapWindow: stored.campaigns.flatMap(\.frequencyCaps).map(\.windowSeconds).max() ?? 0,
            counters: CounterTable(reading, day: day))
        lock.withLock { current = snapshot }
        return snapshot
    }

    /// Each campaign's counters, shared by every feed served from one snapshot: a class, so that
    /// a charge updates one entry in place instead of copying the table.
    final class CounterTable: @unchecked Sendable {
        // @unchecked: every field is only touched under `lock`.
        enum Due { case none, all, changed(after: Int64) }

        private let lock = NSLock()
        private var values: [CampaignID: CampaignCounters]
        private var day: Int64
        private var mark: Int64
        private var readAt: ContinuousClock.Instant

        init(_ reading: CounterReading, day: Int64) {
            values = reading.counters
            self.day = day
            mark = reading.mark
            readAt = .now
        }

        subscript(campaign: CampaignID) -> CampaignCounters {
            lock.withLock { values[campaign] ?? .zero }
        }

        /// What to read now, if anything; claims the read, so that concurrent feeds do not all do it.
        func due(day: Int64) -> Due {
            lock.withLock {
                if day != self.day { return .all }
                guard ContinuousClock.now - readAt > SharedAdsCache.countersMaxAge else { return .none }
                readAt = .now
                return .changed(after: mark)
            }
        }

        func replace(_ reading: CounterReading, day: Int64) {
            lock.withLock {
                values = reading.counters
                self.day = day
                mark = reading.mark
                readAt = .now
            }
        }

        func merge(_ reading: CounterReading, day: Int64) {
            lock.withLock {
                guard day == self.day, reading.mark >= mark else { return }
                values.merge(reading.counters) { _, new in new }
                mark = reading.mark
            }
        }

        /// This process was refunded `micros` of `campaign`'s spend.
        func refunded(_ campaign: CampaignID, _ micros: Int64, day: Int64) { charged(campaign, cost: -micros, day: day) }

        /// This process charged `cost` to `campaign`.
        func charged(_ campaign: CampaignID, cost: Int64, day: Int64) {
            lock.withLock {
                guard day == self.day else { return }
                values[campaign, default: .zero].spentToday += cost
                values[campaign, default: .zero].spentTotal += cost
            }
        }
    }
}

/// Event tokens: an id (`t`, then 16 bytes: the issuing millisecond and 80 random bits) and an HMAC-SHA256 of it under the
/// configured secret, `<id>.<signature>` in base64url. The id is what the store keys the served
/// ad by; the signature lets forged tokens be refused without a lookup. Issued for every ad of
/// every feed, so encoded by hand rather than through Foundation's string methods.
public enum AdToken {
    public static func issue(secret: String) -> (id: String, text: String) {
        var random = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        // The wall-clock millisecond first (big-endian), so that ids sort by issue time and the
        // store's index of served ads grows at its end; then 80 random bits.
        let milliseconds = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        for shift in stride(from: 40, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: milliseconds >> UInt64(shift))) }
        withUnsafeBytes(of: random.next() as UInt64) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: random.next() as UInt16) { bytes.append(contentsOf: $0) }
        // The "t" keeps a token from starting with "-", which command lines take for an option.
        let id = "t" + base64url(bytes)
        return (id, id + "." + signature(id, secret: secret))
    }

    /// The token's id if its signature is right.
    public static func verify(_ token: String, secret: String) -> String? {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 23, parts[0].first == UInt8(ascii: "t"), parts[1].count <= 64 else { return nil }
        // Only the canonical spelling: base64 leaves spare bits in the last character.
        guard let given = unbase64url(parts[1]) else { return nil }
        let id = String(decoding: parts[0], as: UTF8.self)
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Array(id.utf8), using: key(secret)) else { return nil }
        return id
    }

    static func signature(_ id: String, secret: String) -> String {
        base64url(Array(HMAC<SHA256>.authenticationCode(for: Array(id.utf8), using: key(secret))))
    }

    private static func key(_ secret: String) -> SymmetricKey { SymmetricKey(data: Array(secret.utf8)) }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = Int8(value) }
        return table
    }()

    /// Base64url without padding.
    static func base64url(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(n >> UInt32(shift) & 63)]) }
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let n = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)])
        case 2:
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)]); out.append(alphabet[Int(n >> 12 & 63)]); out.append(alphabet[Int(n >> 6 & 63)])
        default: break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of canonical base64url without padding: nil for any other character, a length
    /// no encoding has, or spare bits that are not zero.
    static func unbase64url(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var bits: UInt32 = 0, count = 0
        for character in text {
            let value = values[Int(character)]
            guard value >= 0 else { return nil }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
                bits &= (1 << UInt32(count)) - 1
            }
        }
        return bits == 0 ? out : nil
    }
}
