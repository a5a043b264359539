import Foundation
import GRDB
import StatusCore

extension SQLiteStatusStore {
    // MARK: Inventory

    public func loadInventory(advertisers: [Advertiser], campaigns: [Campaign], creatives: [CreativeUpload]) async throws {
        // Files first, as for a post: temporary file, fsync, rename; then the rows.
        let blobs = self.blobs
        let staged = try await stage(creatives.map(\.files))
        do {
            try await write("load the ad inventory") { db in
                for advertiser in advertisers {
                    try db.execute(sql: """
                        INSERT INTO advertisers (id, name, chat) VALUES (?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET name = excluded.name, chat = excluded.chat
                        """, arguments: [advertiser.id.rawValue, advertiser.name, advertiser.chat])
                }
                for campaign in campaigns { try Self.upsert(db, campaign) }
                for (upload, files) in zip(creatives, staged) {
                    try Self.upsert(db, blobs: blobs, upload, files: files)
                }
                try Self.bumpInventoryVersion(db)
            }
        } catch {
            await discard(staged.flatMap { $0.map(\.blob.id) }, after: error)
            throw error
        }
    }

    private static func upsert(_ db: Database, _ campaign: Campaign) throws {
        if let spent = try Int64.fetchOne(db, sql: "SELECT spent_micros FROM campaigns WHERE id = ?", arguments: [campaign.id.rawValue]),
           campaign.totalBudgetMicros < spent {
            throw StoreError(.invalid, "campaign \(campaign.id): the total budget \(campaign.totalBudgetMicros) is below the \(spent) micros already spent")
        }
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM advertisers WHERE id = ?)", arguments: [campaign.advertiser.rawValue]) == true else {
            throw StoreError(.invalid, "campaign \(campaign.id): no advertiser \(campaign.advertiser)")
        }
        try db.execute(sql: """
            INSERT INTO campaigns (id, advertiser_id, bid_cpm_micros, daily_budget_micros, total_budget_micros, start_at, end_at,
                                   targeting, pacing, frequency_caps)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET advertiser_id = excluded.advertiser_id, bid_cpm_micros = excluded.bid_cpm_micros,
                daily_budget_micros = excluded.daily_budget_micros, total_budget_micros = excluded.total_budget_micros,
                start_at = excluded.start_at, end_at = excluded.end_at, targeting = excluded.targeting,
                pacing = excluded.pacing, frequency_caps = excluded.frequency_caps
            """, arguments: [campaign.id.rawValue, campaign.advertiser.rawValue, campaign.bidCPMMicros, campaign.dailyBudgetMicros,
                             campaign.totalBudgetMicros, campaign.start.seconds, campaign.end.seconds,
                             try AdJSON.encode(campaign.targeting), campaign.pacing.rawValue, try AdJSON.encode(campaign.frequencyCaps)])
    }

    private static func upsert(_ db: Database, blobs: BlobDirectory, _ upload: CreativeUpload, files: [StagedFile]) throws {
        let creative = upload.creative
        let (ctaType, ctaURL): (String, String?) = {
            switch creative.callToAction {
            case .message: return ("message", nil)
            case .visit(let url): return ("visit", url)
            }
        }()
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ?)", arguments: [creative.campaign.rawValue]) == true else {
            throw StoreError(.invalid, "creative \(creative.id): no campaign \(creative.campaign)")
        }
        let original = files.first { $0.upload.role == .original }?.blob.id
        if let stored = try String.fetchOne(db, sql: "SELECT blob_id FROM creative_blobs WHERE creative_id = ? AND role = 'original'",
                                            arguments: [creative.id.rawValue]) {
            guard stored == original?.rawValue else {
                throw StoreError(.conflict, "creative \(creative.id) was loaded with other media; media cannot change, load it as a new creative")
            }
            try db.execute(sql: """
                UPDATE creatives SET campaign_id = ?, headline = ?, cta_type = ?, cta_url = ?, media_path = ? WHERE id = ?
                """, arguments: [creative.campaign.rawValue, creative.headline, ctaType, ctaURL, creative.media, creative.id.rawValue])
            return
        }
        try db.execute(sql: """
            INSERT INTO creatives (id, campaign_id, headline, cta_type, cta_url, media_path, kind, format, width, height, duration_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [creative.id.rawValue, creative.campaign.rawValue, creative.headline, ctaType, ctaURL, creative.media,
                             upload.kind.rawValue, upload.media.format, upload.media.width, upload.media.height,
                             upload.media.durationMilliseconds])
        for file in files {
            try claim(db, blobs: blobs, file.blob, upload: file.upload, at: Timestamp(seconds: 0))
            try db.execute(sql: "INSERT INTO creative_blobs (creative_id, role, blob_id, width, height) VALUES (?, ?, ?, ?, ?)",
                           arguments: [creative.id.rawValue, file.upload.role.rawValue, file.blob.id.rawValue, file.upload.width, file.upload.height])
        }
    }

    static func bumpInventoryVersion(_ db: Database) throws {
        try db.execute(sql: "UPDATE ad_inventory_version SET version = version + 1 WHERE id = 1")
    }

    public func adInventoryVersion() async throws -> Int64 {
        // Asked before every feed with ads: answered on the probe connection, in place.
        if let version = try? servingReader.inDatabase({ db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM ad_inventory_version WHERE id = 1"))
        }) {
            return version
        }
        return try await read("read the ad inventory version") { db in
            try Int64.fetchOne(db, sql: "SELECT version FROM ad_inventory_version WHERE id = 1") ?? 0
        }
    }

    public func storedInventory() async throws -> StoredInventory {
        try await read("read the ad inventory") { db in
            let advertisers = try Row.fetchAll(db, sql: "SELECT id, name, chat FROM advertisers ORDER BY id").compactMap { row -> Advertiser? in
                AdvertiserID(rawValue: row[0]).map { Advertiser(id: $0, name: row[1], chat: row[2]) }
            }
            var spent: [CampaignID: Int64] = [:]
            var campaigns: [Campaign] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM campaigns ORDER BY id") {
                let campaign = try Self.campaign(from: row)
                campaigns.append(campaign)
                spent[campaign.id] = row["spent_micros"]
            }
            var files: [String: [BlobRef]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT cb.creative_id, cb.role, cb.blob_id, cb.width, cb.height, b.content_type, b.bytes
                FROM creative_blobs cb JOIN blobs b ON b.id = cb.blob_id
                """) {
                guard let role = BlobRole(rawValue: row[1]), let blob = BlobID(rawValue: row[2]) else { continue }
                files[row[0], default: []].append(BlobRef(role: role, id: blob, contentType: row[5], bytes: row[6], width: row[3], height: row[4]))
            }
            let creatives = try Row.fetchAll(db, sql: "SELECT * FROM creatives ORDER BY id").compactMap { row -> StoredCreative? in
                guard let id = CreativeID(rawValue: row["id"]), let campaign = CampaignID(rawValue: row["campaign_id"]),
                      let kind = MediaKind(rawValue: row["kind"]) else { return nil }
                let cta: CallToAction = (row["cta_type"] as String) == "visit" ? .visit(url: row["cta_url"] ?? "") : .message
                return StoredCreative(
                    creative: Creative(id: id, campaign: campaign, media: row["media_path"], headline: row["headline"], callToAction: cta),
                    kind: kind, media: MediaSummary(format: row["format"], width: row["width"], height: row["height"],
                                                    durationMilliseconds: row["duration_ms"]),
                    blobs: files[id.rawValue] ?? [])
            }
            return StoredInventory(advertisers: advertisers, campaigns: campaigns, creatives: creatives, spent: spent)
        }
    }

    static func campaign(from row: Row) throws -> Campaign {
        guard let id = CampaignID(rawValue: row["id"]), let advertiser = AdvertiserID(rawValue: row["advertiser_id"]),
              let pacing = Pacing(rawValue: row["pacing"]) else {
            throw StoreError(.corrupt, "a campaign row holds values this engine does not know")
        }
        return Campaign(id: id, advertiser: advertiser, bidCPMMicros: row["bid_cpm_micros"], dailyBudgetMicros: row["daily_budget_micros"],
                        totalBudgetMicros: row["total_budget_micros"], start: Timestamp(seconds: row["start_at"]),
                        end: Timestamp(seconds: row["end_at"]), targeting: try AdJSON.decodeTargeting(row["targeting"]),
                        pacing: pacing, frequencyCaps: try AdJSON.decodeCaps(row["frequency_caps"]), active: row["active"])
    }

    public func setCampaignActive(_ id: CampaignID, active: Bool) async throws -> Campaign {
        try await write("pause or resume a campaign") { db in
            try db.execute(sql: "UPDATE campaigns SET active = ? WHERE id = ?", arguments: [active, id.rawValue])
            let changed = db.changesCount > 0
            try Self.bumpInventoryVersion(db)
            guard changed, let row = try Row.fetchOne(db, sql: "SELECT * FROM campaigns WHERE id = ?", arguments: [id.rawValue]) else {
                throw StoreError(.unknownCampaign, "no campaign \(id)")
            }
            return try Self.campaign(from: row)
        }
    }

    // MARK: Serving

    public func campaignCounters(day: Int64, after: Int64?) async throws -> CounterReading {
        try await read("read the campaign counters") { db in
            let mark = try Int64.fetchOne(db.cachedStatement(sql: "SELECT counters_seq FROM ad_inventory_version WHERE id = 1")) ?? 0
            if let after, after == mark { return CounterReading(counters: [:], mark: mark) }
            var counters: [CampaignID: CampaignCounters] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT c.id, c.spent_micros, coalesce(d.spent_micros, 0), c.impressions, c.clicks
                FROM campaigns c LEFT JOIN campaign_days d ON d.campaign_id = c.id AND d.day = ?
                WHERE c.counters_seq > ?
                """), arguments: [day, after ?? -1])
            while let row = try rows.next() {
                guard let id = CampaignID(rawValue: row[0]) else { continue }
                counters[id] = CampaignCounters(spentToday: row[2], spentTotal: row[1], impressions: row[3], clicks: row[4])
            }
            return CounterReading(counters: counters, mark: mark)
        }
    }

    public func adViewer(_ viewer: UserID, since: Timestamp) async throws -> AdViewer? {
        // Asked before every feed with ads: answered on the serving reader, in place.
        try serving("read the viewer's ads", servingReader) { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT country, language, birth_year, ads, read_receipts FROM users WHERE id = ?
                """), arguments: [viewer.rawValue]) else { return nil }
            let profile = User(id: viewer, country: row[0], language: row[1], birthYear: row[2], ads: row[3], readReceipts: row[4])
            let hidden = Set(try String.fetchAll(db.cachedStatement(sql: "SELECT advertiser_id FROM hidden_advertisers WHERE viewer_id = ?"),
                                                 arguments: [viewer.rawValue]).compactMap(AdvertiserID.init(rawValue:)))
            let served = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT campaign_id, advertiser_id, served_at, token FROM ad_serves WHERE viewer_id = ? AND served_at > ? ORDER BY served_at
                """), arguments: [viewer.rawValue, since.seconds]).compactMap { row -> ServedImpression? in
                    guard let campaign = CampaignID(rawValue: row[0]), let advertiser = AdvertiserID(rawValue: row[1]) else { return nil }
                    return ServedImpression(campaign: campaign, advertiser: advertiser, at: Timestamp(seconds: row[2]), token: row[3])
                }
            return AdViewer(profile: profile, hidden: hidden, served: served)
        }
    }

    // MARK: Budget leases

    public func grantBudget(_ requests: [BudgetRequest], holder: String, expiresAt: Int64) async throws -> [Int64] {
        guard !requests.isEmpty else { return [] }
        // In place on the serving writer, committed without a sync: a grant may be on a feed's path.
        defer { servingCheckpoints.committed() }
        return try serving("lease ad budget", servingWriter, write: true) { db in
            let mark = try Self.nextCountersMark(db)
            return try requests.map { request in
                // Budgets as stored now, with every holder's leases already charged.
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT c.spent_micros, c.total_budget_micros, c.daily_budget_micros, coalesce(d.spent_micros, 0)
                    FROM campaigns c LEFT JOIN campaign_days d ON d.campaign_id = c.id AND d.day = ? WHERE c.id = ?
                    """), arguments: [request.key.day, request.key.campaign.rawValue]) else {
                    throw StoreError(.unknownCampaign, "no campaign \(request.key.campaign)")
                }
                let spent: Int64 = row[0], total: Int64 = row[1], daily: Int64 = row[2], today: Int64 = row[3]
                let room = min(total - spent, min(daily, request.dailyLimitMicros) - today)
                let granted = min(request.wantedMicros, room)
                guard granted >= max(1, request.minimumMicros) else { return 0 }
                try Self.charge(db, request.key, granted, mark: mark)
                try db.cachedStatement(sql: """
                    INSERT INTO budget_leases (holder, campaign_id, day, granted_micros, expires_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (holder, campaign_id, day) DO UPDATE SET granted_micros = granted_micros + excluded.granted_micros,
                        expires_at = excluded.expires_at
                    """).execute(arguments: [holder, request.key.campaign.rawValue, request.key.day, granted, expiresAt])
                return granted
            }
        }
    }

    public func recordServes(_ serves: [AdServe], holder: String, expiresAt: Int64) async throws {
        guard !serves.isEmpty else { return }
        try await write("record served ads", durable: false) { db in
            // One row per ad, then one update per campaign and day for the lease and the counts.
            var used: [BudgetKey: (micros: Int64, count: Int)] = [:]
            for serve in serves {
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO ad_serves (token, viewer_id, campaign_id, advertiser_id, creative_id, slot, price_cpm_micros,
                                                     cost_micros, served_at, day)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [serve.token, serve.viewer.rawValue, serve.campaign.rawValue, serve.advertiser.rawValue,
                                             serve.creative.rawValue, serve.slot, serve.priceCPMMicros, serve.costMicros, serve.at.seconds,
                                             serve.day])
                guard db.changesCount > 0 else { continue }
                let key = BudgetKey(campaign: serve.campaign, day: serve.day)
                used[key, default: (0, 0)].micros += serve.costMicros
                used[key, default: (0, 0)].count += 1
            }
            let mark = try Self.nextCountersMark(db)
            for (key, spent) in used {
                try db.cachedStatement(sql: """
                    UPDATE budget_leases SET used_micros = used_micros + ?, expires_at = max(expires_at, ?)
                    WHERE holder = ? AND campaign_id = ? AND day = ?
                    """).execute(arguments: [spent.micros, expiresAt, holder, key.campaign.rawValue, key.day])
                if db.changesCount == 0 {
                    // The lease was reclaimed (this holder stalled past its expiry) and refunded:
                    // charge these ads directly, as far as the budget still goes.
                    try Self.chargeWithoutLease(db, key, serves.filter { $0.campaign == key.campaign && $0.day == key.day }, mark: mark)
                }
                try db.cachedStatement(sql: """
                    INSERT INTO campaign_days (campaign_id, day, spent_micros, served) VALUES (?, ?, 0, ?)
                    ON CONFLICT (campaign_id, day) DO UPDATE SET served = served + excluded.served
                    """).execute(arguments: [key.campaign.rawValue, key.day, spent.count])
            }
        }
    }

    /// Charges ads served from a lease that is gone, each as far as the budget goes (its
    /// recorded cost lowered to what was charged).
    private static func chargeWithoutLease(_ db: Database, _ key: BudgetKey, _ serves: [AdServe], mark: Int64) throws {
        for serve in serves {
            let room = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT min(c.total_budget_micros - c.spent_micros, c.daily_budget_micros - coalesce(d.spent_micros, 0))
                FROM campaigns c LEFT JOIN campaign_days d ON d.campaign_id = c.id AND d.day = ? WHERE c.id = ?
                """), arguments: [key.day, key.campaign.rawValue]) ?? 0
            let charged = max(0, min(serve.costMicros, room))
            try charge(db, key, charged, mark: mark)
            if charged != serve.costMicros {
                try db.cachedStatement(sql: "UPDATE ad_serves SET cost_micros = ? WHERE token = ?").execute(arguments: [charged, serve.token])
            }
        }
    }

    public func releaseBudget(holder: String, keys: [BudgetKey]?) async throws -> [BudgetKey: Int64] {
        try await write("release ad budget", durable: false) { db in
            var rows = try Row.fetchAll(db, sql: "SELECT campaign_id, day, granted_micros - used_micros FROM budget_leases WHERE holder = ?",
                                        arguments: [holder])
            if let keys {
                let wanted = Set(keys)
                rows = rows.filter { row in CampaignID(rawValue: row[0]).map { wanted.contains(BudgetKey(campaign: $0, day: row[1])) } ?? false }
            }
            return try Self.refund(db, rows, holder: { _ in holder })
        }
    }

    public func reclaimExpiredBudget(now: Int64) async throws -> Int {
        try await write("reclaim expired ad budget", durable: false) { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT campaign_id, day, granted_micros - used_micros, holder FROM budget_leases WHERE expires_at < ?
                """, arguments: [now])
            return try Self.refund(db, rows, holder: { $0[3] }).count
        }
    }

    /// Refunds and deletes the leases in `rows` (campaign, day, unused, ...).
    private static func refund(_ db: Database, _ rows: [Row], holder: (Row) -> String) throws -> [BudgetKey: Int64] {
        guard !rows.isEmpty else { return [:] }
        let mark = try nextCountersMark(db)
        var refunds: [BudgetKey: Int64] = [:]
        for row in rows {
            guard let campaign = CampaignID(rawValue: row[0]) else { continue }
            let key = BudgetKey(campaign: campaign, day: row[1])
            let unused: Int64 = max(0, row[2])
            try charge(db, key, -unused, mark: mark)
            try db.cachedStatement(sql: "DELETE FROM budget_leases WHERE holder = ? AND campaign_id = ? AND day = ?")
                .execute(arguments: [holder(row), campaign.rawValue, key.day])
            refunds[key, default: 0] += unused
        }
        return refunds
    }

    /// Adds `micros` (negative for a refund) to a campaign's spend, in all and on the day.
    private static func charge(_ db: Database, _ key: BudgetKey, _ micros: Int64, mark: Int64) throws {
        guard micros != 0 else { return }
        try db.cachedStatement(sql: "UPDATE campaigns SET spent_micros = spent_micros + ?, counters_seq = ? WHERE id = ?")
            .execute(arguments: [micros, mark, key.campaign.rawValue])
        try db.cachedStatement(sql: """
            INSERT INTO campaign_days (campaign_id, day, spent_micros, served) VALUES (?, ?, ?, 0)
            ON CONFLICT (campaign_id, day) DO UPDATE SET spent_micros = spent_micros + excluded.spent_micros
            """).execute(arguments: [key.campaign.rawValue, key.day, micros])
    }

    /// Moves the counters' mark on: the campaigns this transaction changes carry the new value.
    private static func nextCountersMark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: """
            UPDATE ad_inventory_version SET counters_seq = counters_seq + 1 WHERE id = 1 RETURNING counters_seq
            """)) ?? 0
    }

    /// Runs `body` on one of the serving connections, on the calling thread (a read, or with
    /// `write` an immediate transaction), with the store's typed errors.
    private func serving<T>(_ doing: String, _ connection: DatabaseQueue, write: Bool = false, _ body: (Database) throws -> T) throws -> T {
        do {
            return try connection.inDatabase { db in
                var result: T?
                try db.inTransaction(write ? .immediate : .deferred) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.storeError(error, doing: doing)
        }
    }

    public func recordAdEvent(token: String, type: AdEventType, at now: Timestamp) async throws -> AdEventReceipt {
        try await write("record an ad event") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.viewer_id, s.advertiser_id, s.campaign_id, cr.cta_type, a.chat
                FROM ad_serves s LEFT JOIN creatives cr ON cr.id = s.creative_id LEFT JOIN advertisers a ON a.id = s.advertiser_id
                WHERE s.token = ?
                """, arguments: [token]) else {
                throw StoreError(.unknownToken, "no ad was served with this token")
            }
            let viewer: String = row[0], advertiser: String = row[1], campaign: String = row[2]
            // A message ad's click opens a chat with the business.
            var conversation: ConversationStart?
            if type == .click, (row[3] as String?) == "message", let chat = row[4] as String?, let id = AdvertiserID(rawValue: advertiser) {
                conversation = ConversationStart(advertiser: id, chat: chat)
            }
            try db.execute(sql: "INSERT OR IGNORE INTO ad_events (token, type, at) VALUES (?, ?, ?)", arguments: [token, type.rawValue, now.seconds])
            guard db.changesCount > 0 else { return AdEventReceipt(outcome: .alreadyCounted, conversation: conversation) }
            if type == .impression || type == .click {
                // The counts the click rate is estimated from.
                let mark = try Self.nextCountersMark(db)
                try db.execute(sql: """
                    UPDATE campaigns SET \(type == .impression ? "impressions = impressions + 1" : "clicks = clicks + 1"), counters_seq = ?
                    WHERE id = ?
                    """, arguments: [mark, campaign])
            }
            if let conversation {
                try db.execute(sql: "INSERT INTO ad_conversations (token, advertiser_id, chat, at) VALUES (?, ?, ?, ?)",
                               arguments: [token, advertiser, conversation.chat, now.seconds])
            }
            if type == .hide || type == .blockAdvertiser {
                // A block outranks a hide; a hide never softens a block.
                try db.execute(sql: """
                    INSERT INTO hidden_advertisers (viewer_id, advertiser_id, kind, at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (viewer_id, advertiser_id) DO UPDATE SET kind = CASE WHEN excluded.kind = 'block' THEN 'block' ELSE kind END
                    """, arguments: [viewer, advertiser, type == .hide ? "hide" : "block", now.seconds])
            }
            return AdEventReceipt(outcome: .recorded, conversation: conversation)
        }
    }

    public func adReport(days: ClosedRange<Int64>) async throws -> [AdReportRow] {
        try await read("read the ads report") { db in
            try Row.fetchAll(db, sql: """
                SELECT s.day, s.campaign_id, s.creative_id, count(*), sum(s.cost_micros),
                       sum(EXISTS (SELECT 1 FROM ad_events e WHERE e.token = s.token AND e.type = 'impression')),
                       sum(EXISTS (SELECT 1 FROM ad_events e WHERE e.token = s.token AND e.type = 'click')),
                       sum(EXISTS (SELECT 1 FROM ad_conversations c WHERE c.token = s.token))
                FROM ad_serves s WHERE s.day BETWEEN ? AND ?
                GROUP BY s.day, s.campaign_id, s.creative_id ORDER BY s.day, s.campaign_id, s.creative_id
                """, arguments: [days.lowerBound, days.upperBound]).compactMap { row -> AdReportRow? in
                guard let campaign = CampaignID(rawValue: row[1]), let creative = CreativeID(rawValue: row[2]) else { return nil }
                let day: Int64 = row[0]
                return AdReportRow(day: Timestamp(seconds: day * 86_400).iso8601.prefix(10).description, campaign: campaign,
                                   creative: creative, served: row[3], impressions: row[5], clicks: row[6], spendMicros: row[4],
                                   conversations: row[7])
            }
        }
    }
}

/// Targeting and frequency caps as JSON in their columns.
enum AdJSON {
    struct TargetingColumn: Codable {
        var countries: [String]
        var languages: [String]
        var age: [Int]?
    }

    struct CapColumn: Codable {
        var scope: String
        var max: Int
        var window_s: Int64
    }

    static func encode(_ targeting: Targeting) throws -> String {
        let column = TargetingColumn(countries: targeting.countries, languages: targeting.languages,
                                     age: targeting.ages.map { [$0.lowerBound, $0.upperBound] })
        return String(decoding: try JSONEncoder().encode(column), as: UTF8.self)
    }

    static func encode(_ caps: [FrequencyCap]) throws -> String {
        String(decoding: try JSONEncoder().encode(caps.map { CapColumn(scope: $0.scope.rawValue, max: $0.max, window_s: $0.windowSeconds) }),
               as: UTF8.self)
    }

    static func decodeTargeting(_ text: String) throws -> Targeting {
        guard let column = try? JSONDecoder().decode(TargetingColumn.self, from: Data(text.utf8)) else {
            throw StoreError(.corrupt, "a campaign's targeting is not readable")
        }
        let ages = column.age.flatMap { $0.count == 2 && $0[0] <= $0[1] ? $0[0]...$0[1] : nil }
        return Targeting(countries: column.countries, languages: column.languages, ages: ages)
    }

    static func decodeCaps(_ text: String) throws -> [FrequencyCap] {
        guard let columns = try? JSONDecoder().decode([CapColumn].self, from: Data(text.utf8)) else {
            throw StoreError(.corrupt, "a campaign's frequency caps are not readable")
        }
        return columns.compactMap { column in
            FrequencyCap.Scope(rawValue: column.scope).map { FrequencyCap(scope: $0, max: column.max, windowSeconds: column.window_s) }
        }
    }
}
