extension Feed {
    /// The feed as `statusctl feed` prints it and the HTTP API serves it:
    /// `{"viewer", "at", "items": [...], "muted": [...]}`. `items` is the tap-through order:
    /// author groups `{"type": "author", "author", "section": "recent"|"viewed", "first_unseen",
    /// "posts": [...]}`; `muted` holds the muted authors' groups (`"section": "muted"`). Each post:
    /// `{"id", "kind", "created_at", "expires_at", "seen"}`, then `text`, `background`, `font` for
    /// text posts or `caption`, `width`, `height` (and `duration_s`) for photos and videos, then
    /// `renditions` {`display`, `thumb`, and for a video `video` (the original file)}:
    /// {`blob`, `type`, `bytes`, `width`, `height`}.
    public var json: JSONValue {
        .object([
            ("viewer", .string(viewer.rawValue)), ("at", .string(at.iso8601)),
            ("items", .array(groups.map(\.json))), ("muted", .array(muted.map(\.json))),
        ])
    }
}

extension FeedGroup {
    /// One author item of a feed.
    public var json: JSONValue {
        .object([
            ("type", .string("author")), ("author", .string(author.rawValue)), ("section", .string(section.rawValue)),
            ("first_unseen", .int(firstUnseen)), ("posts", .array(entries.map { $0.post.feedJSON(seen: $0.seen) })),
        ])
    }
}

extension Post {
    /// A post as a viewer gets it: no audience, moderation state or image original.
    public func feedJSON(seen: Bool? = nil, views: Int?? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id.rawValue)), ("kind", .string(kind.rawValue)),
            ("created_at", .string(createdAt.iso8601)), ("expires_at", .string(expiresAt.iso8601)),
        ]
        if let seen { members.append(("seen", .bool(seen))) }
        if let views { members.append(("views", views.map { .int($0) } ?? .null)) }
        if let text {
            members += [("text", .string(text.text)), ("background", .string(text.background)), ("font", .int(text.font))]
        } else {
            members.append(("caption", caption.map { .string($0) } ?? .null))
        }
        if let media {
            members += [("width", .int(media.width)), ("height", .int(media.height))]
            if let duration = media.durationMilliseconds { members.append(("duration_s", .double(Double(duration) / 1000))) }
        }
        members.append(("renditions", Self.renditionsJSON(blobs, video: kind == .video, size: media.map { ($0.width, $0.height) })))
        return .object(members)
    }
}

extension Post {
    /// What a viewer is sent of stored files: `display` and `thumb`, and for a video its original
    /// as `video` (an image's original is never sent), each `{"blob", "type", "bytes", "width",
    /// "height"}`; `size` stands in for an original's missing width and height.
    static func renditionsJSON(_ blobs: [BlobRef], video: Bool, size: (Int, Int)?) -> JSONValue {
        var renditions: [(String, JSONValue)] = []
        for blob in blobs {
            let name: String
            switch blob.role {
            case .display, .thumb: name = blob.role.rawValue
            case .original where video: name = "video"
            case .original: continue
            }
            var file: [(String, JSONValue)] = [("blob", .string(blob.id.rawValue)), ("type", .string(blob.contentType)),
                                               ("bytes", .int(Int(blob.bytes)))]
            if let width = blob.width ?? (blob.role == .original ? size?.0 : nil),
               let height = blob.height ?? (blob.role == .original ? size?.1 : nil) {
                file += [("width", .int(width)), ("height", .int(height))]
            }
            renditions.append((name, .object(file)))
        }
        return .object(renditions)
    }
}

extension Array where Element == OwnStatus {
    /// `statusctl my-status`: `{"author", "at", "posts": [post as in a feed, with "views"]}`.
    public func json(author: UserID, at now: Timestamp) -> JSONValue {
        .object([
            ("author", .string(author.rawValue)), ("at", .string(now.iso8601)),
            ("posts", .array(map { $0.post.feedJSON(views: .some($0.views)) })),
        ])
    }
}

extension FeedPage {
    /// The feed as served: `Feed.json` with the ads among the `items` at their positions
    /// (after that many author groups), each `{"type": "ad", "slot", "campaign", "advertiser":
    /// {"id", "name", "chat"}, "creative": {"id", "kind", "width", "height", "renditions"},
    /// "headline", "cta": {"type": "message", "chat"} | {"type": "visit", "url"}, "token"}`.
    public var json: JSONValue { json(explain: false) }

    /// With `explain`, each ad item also has `"explain"`: the candidates of its slot (best
    /// first, with bid, pCTR and eCPM), winner, runner-up, floor, price and cost, and the pacing
    /// state; and the page has `"ads"`: `{"placed", "skipped"}` (why there are none, if so).
    public func json(explain: Bool, policy: AdsPolicy = .default) -> JSONValue {
        guard case .object(var members) = feed.json, let at = members.firstIndex(where: { $0.0 == "items" }) else { return feed.json }
        var items = feed.groups.map(\.json)
        for ad in ads.sorted(by: { $0.placement.position > $1.placement.position }) where ad.placement.position <= items.count {
            items.insert(explain ? ad.explainedJSON(policy: policy) : ad.json, at: ad.placement.position)
        }
        members[at].1 = .array(items)
        if explain {
            members.append(("ads", .object([("placed", .int(ads.count)), ("skipped", adsSkipped.map { .string($0) } ?? .null)])))
        }
        return .object(members)
    }
}

extension PlacedAd {
    /// The ad item with its `"explain"`.
    public func explainedJSON(policy: AdsPolicy) -> JSONValue {
        guard case .object(var members) = json else { return json }
        let auction = placement.auction
        let campaign = placement.campaign
        members.append(("explain", .object([
            ("candidates", .array(auction.ranking.map { candidate in
                .object([("campaign", .string(candidate.campaign.rawValue)), ("advertiser", .string(candidate.advertiser.rawValue)),
                         ("bid_cpm_micros", .int(Int(candidate.bidCPMMicros))), ("pctr", .double(candidate.predictedCTR)),
                         ("ecpm_micros", .double(candidate.eCPM.rounded()))])
            })),
            ("winner", .string(auction.winner.campaign.rawValue)),
            ("runner_up", auction.runnerUp.map { .string($0.campaign.rawValue) } ?? .null),
            ("floor_cpm_micros", .int(Int(policy.floorCPMMicros))), ("price_cpm_micros", .int(Int(auction.priceCPMMicros))),
            ("cost_micros", .int(Int(placement.costMicros))),
            ("pacing", .object([("mode", .string(campaign.pacing.rawValue)), ("spent_today_micros", .int(Int(placement.spentToday))),
                                ("allowance_micros", .int(Int(placement.allowance))),
                                ("daily_budget_micros", .int(Int(campaign.dailyBudgetMicros)))])),
        ])))
        return .object(members)
    }

    public var json: JSONValue {
        let placement = self.placement
        var media: [(String, JSONValue)] = [("id", .string(creative.creative.id.rawValue)), ("kind", .string(creative.kind.rawValue)),
                                            ("width", .int(creative.media.width)), ("height", .int(creative.media.height))]
        if let duration = creative.media.durationMilliseconds { media.append(("duration_s", .double(Double(duration) / 1000))) }
        media.append(("renditions", Post.renditionsJSON(creative.blobs, video: creative.kind == .video,
                                                        size: (creative.media.width, creative.media.height))))
        let cta: JSONValue
        switch creative.creative.callToAction {
        case .message: cta = .object([("type", .string("message")), ("chat", placement.advertiser.chat.map { .string($0) } ?? .null)])
        case .visit(let url): cta = .object([("type", .string("visit")), ("url", .string(url))])
        }
        return .object([
            ("type", .string("ad")), ("slot", .int(placement.slot)), ("campaign", .string(placement.campaign.id.rawValue)),
            ("advertiser", .object([("id", .string(placement.advertiser.id.rawValue)), ("name", .string(placement.advertiser.name)),
                                    ("chat", placement.advertiser.chat.map { .string($0) } ?? .null)])),
            ("creative", .object(media)), ("headline", .string(creative.creative.headline)), ("cta", cta),
            ("token", token.isEmpty ? .null : .string(token)),
        ])
    }
}

extension StoredInventory {
    /// Every campaign as `ads list` prints it and `GET /v1/ads/campaigns` answers: with what it
    /// has spent and its creatives' ids.
    public var campaignsJSON: [JSONValue] {
        campaigns.map { campaign in
            campaign.json(spent: spent[campaign.id] ?? 0,
                          creatives: creatives.filter { $0.creative.campaign == campaign.id }.map { .string($0.creative.id.rawValue) })
        }
    }
}

extension Campaign {
    /// A campaign as `ads list` prints it.
    public func json(spent: Int64?, creatives: [JSONValue]?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id.rawValue)), ("advertiser", .string(advertiser.rawValue)), ("active", .bool(active)),
            ("bid_cpm_micros", .int(Int(bidCPMMicros))), ("daily_budget_micros", .int(Int(dailyBudgetMicros))),
            ("total_budget_micros", .int(Int(totalBudgetMicros))),
        ]
        if let spent { members.append(("spent_micros", .int(Int(spent)))) }
        members += [
            ("start", .string(start.iso8601)), ("end", .string(end.iso8601)), ("pacing", .string(pacing.rawValue)),
            ("targeting", .object([
                ("countries", .array(targeting.countries.map { .string($0) })),
                ("languages", .array(targeting.languages.map { .string($0) })),
                ("age", targeting.ages.map { .array([.int($0.lowerBound), .int($0.upperBound)]) } ?? .null),
            ])),
            ("frequency_caps", .array(frequencyCaps.map {
                .object([("scope", .string($0.scope.rawValue)), ("max", .int($0.max)), ("window_s", .int(Int($0.windowSeconds)))])
            })),
        ]
        if let creatives { members.append(("creatives", .array(creatives))) }
        return .object(members)
    }
}

extension AdReportRow {
    /// The report's columns: `day`, `campaign`, `creative`, `served`, `impressions`, `clicks`,
    /// `ctr`, `spend_micros`, then `conversations` (click-to-chat starts).
    public static let columns = ["day", "campaign", "creative", "served", "impressions", "clicks", "ctr", "spend_micros", "conversations"]

    /// An object with ``columns`` as keys.
    public var json: JSONValue {
        .object([
            ("day", .string(day)), ("campaign", .string(campaign.rawValue)), ("creative", .string(creative.rawValue)),
            ("served", .int(served)), ("impressions", .int(impressions)), ("clicks", .int(clicks)),
            ("ctr", .double((ctr * 10_000).rounded() / 10_000)), ("spend_micros", .int(Int(spendMicros))),
            ("conversations", .int(conversations)),
        ])
    }

    /// A CSV header row and one line per row (ids are plain tokens, so nothing needs quoting).
    public static func csv(_ rows: [AdReportRow]) -> String {
        var text = columns.joined(separator: ",") + "\n"
        for row in rows {
            text += "\(row.day),\(row.campaign),\(row.creative),\(row.served),\(row.impressions),\(row.clicks),"
                + "\(String(format: "%.4f", row.ctr)),\(row.spendMicros),\(row.conversations)\n"
        }
        return text
    }
}

extension AdEventReceipt {
    /// `{"outcome": "recorded"|"already_counted", "type", "conversation": {"advertiser", "chat"}}`,
    /// the conversation only for a click on a message ad.
    public func json(type: AdEventType) -> JSONValue {
        var fields: [(String, JSONValue)] = [("outcome", .string(outcome.rawValue)), ("type", .string(type.rawValue))]
        if let conversation {
            fields.append(("conversation", .object([("advertiser", .string(conversation.advertiser.rawValue)),
                                                    ("chat", .string(conversation.chat))])))
        }
        return .object(fields)
    }
}
