import Foundation
import StatusEngine
import StatusStore
import Testing

/// `statusctl ads ...` and ads in `statusctl feed`, through the real binary, on a seeded population.
@Suite(.serialized) struct AdsCommandTests {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("status-ads-cli-\(UUID().uuidString)").path
    let at = "2026-11-25T12:00:00Z"

    /// The defaults with the ad path's time budget out of the way: these tests are about where
    /// ads go and how they are counted, and a slow run (a sanitizer, a loaded machine) must not
    /// turn them into feeds served without ads.
    var configuration: String { data + ".config.json" }

    func statusctl(_ arguments: [String]) throws -> Statusctl.Result {
        if !FileManager.default.fileExists(atPath: configuration) {
            try Data(#"{"ads": {"time_budget_ms": 600000}}"#.utf8).write(to: URL(fileURLWithPath: configuration))
        }
        return try Statusctl.run(arguments + ["--data", data], environment: ["STATUS_ENGINE_CONFIG": configuration])
    }

    @Test func manifestsLoadAllOrNothingOrPartiallyWithEveryProblemLocated() throws {
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: configuration) }
        let bad = try statusctl(["ads", "load", "fixtures/ads/bad.json"])
        #expect(bad.status == 1)
        let report = try #require(bad.lines.last)
        let locations = ((report["errors"] as? [[String: Any]]) ?? []).compactMap { $0["location"] as? String }
        #expect(Set(locations) == ["$.campaigns[1].bid_cpm_micros", "$.campaigns[1].end", "$.creatives[3].cta",
                                   "$.creatives[1].media", "$.creatives[2].media"])
        #expect(bad.stderr.contains("fixtures/ads/bad.json: $.creatives[1].media: the media is 96×48"))
        #expect((report["loaded"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true)
        #expect(try statusctl(["ads", "list"]).stdout.isEmpty)

        let partial = try statusctl(["ads", "load", "fixtures/ads/bad.json", "--partial"])
        #expect(partial.status == 1)
        #expect(partial.lines.last?["loaded"] as? [String: Int] == ["advertisers": 1, "campaigns": 1, "creatives": 1])
        let listed = try statusctl(["ads", "list"]).lines
        #expect(listed.map { $0["id"] as? String } == ["fine"])
        #expect(listed.first?["creatives"] as? [String] == ["good"])

        let good = try statusctl(["ads", "load", "fixtures/ads/demo.json"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.lines.last?["loaded"] as? [String: Int] == ["advertisers": 3, "campaigns": 3, "creatives": 3])
        // Loading again changes nothing and succeeds.
        #expect(try statusctl(["ads", "load", "fixtures/ads/demo.json"]).status == 0)
        #expect(try statusctl(["ads", "list"]).lines.count == 4)
        // The CSV form adds creatives to loaded campaigns.
        let csv = try statusctl(["ads", "load", "fixtures/ads/creatives.csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.lines.last?["loaded"] as? [String: Int] == ["advertisers": 0, "campaigns": 0, "creatives": 2])
        let coffee = try statusctl(["ads", "list"]).lines.first { $0["id"] as? String == "morning-coffee" }
        #expect(coffee?["creatives"] as? [String] == ["latte", "latte-clip"])

        let paused = try statusctl(["ads", "pause", "sneaker-sale"])
        #expect(paused.status == 0 && paused.lines.last?["active"] as? Bool == false)
        #expect(try statusctl(["ads", "resume", "sneaker-sale"]).lines.last?["active"] as? Bool == true)
        let unknown = try statusctl(["ads", "pause", "nope"])
        #expect(unknown.status == 1 && (unknown.lines.last?["error"] as? [String: Any])?["code"] as? String == "unknown_campaign")
    }

    @Test func feedsCarryAdsBetweenGroupsAndEventsCountOnceIntoTheReport() throws {
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: configuration) }
        #expect(try statusctl(["demo", "seed", "--users", "200", "--contacts", "24", "--seed", "3", "--at", at]).status == 0)
        #expect(try statusctl(["ads", "load", "fixtures/ads/demo.json"]).status == 0)

        var tokens: [String] = []
        var chats: [String: String?] = [:]               // token: the chat a click opens (nil for a visit ad)
        var adFeeds = 0
        for n in 1...60 {
            let result = try statusctl(["feed", "--viewer", "u\(n)", "--at", at])
            #expect(result.status == 0)
            let items = try #require(result.lines.last?["items"] as? [[String: Any]])
            let kinds = items.map { $0["type"] as? String ?? "" }
            let groups = kinds.filter { $0 == "author" }.count
            // Never first, never last, never two in a row, first after two groups, three at most.
            if let first = kinds.firstIndex(of: "ad") {
                adFeeds += 1
                #expect(first == 2 && kinds.last == "author")
                #expect(!zip(kinds, kinds.dropFirst()).contains { $0 == "ad" && $1 == "ad" })
                #expect(kinds.filter { $0 == "ad" }.count <= 3 && groups >= 3)
            }
            let ads = items.filter { $0["type"] as? String == "ad" }
            #expect(Set(ads.compactMap { ($0["advertiser"] as? [String: Any])?["id"] as? String }).count == ads.count)
            for ad in ads {
                #expect(ad["headline"] is String && ad["campaign"] is String)
                #expect(((ad["creative"] as? [String: Any])?["renditions"] as? [String: Any])?["display"] != nil)
                let token = try #require(ad["token"] as? String)
                tokens.append(token)
                let cta = try #require(ad["cta"] as? [String: Any])
                chats[token] = cta["type"] as? String == "message" ? .some(cta["chat"] as? String) : .none
            }
        }
        #expect(adFeeds > 5 && !tokens.isEmpty)

        let token = tokens[0]
        #expect(try statusctl(["ads", "event", "--token", token, "--type", "impression", "--at", at]).lines.last?["outcome"] as? String == "recorded")
        #expect(try statusctl(["ads", "event", "--token", token, "--type", "impression", "--at", at]).lines.last?["outcome"] as? String == "already_counted")
        #expect(try statusctl(["ads", "event", "--token", token, "--type", "click", "--at", at]).lines.last?["outcome"] as? String == "recorded")
        // A click on a message ad starts a conversation with the business's chat, counted once.
        let messageAd = try #require(tokens.dropFirst().first { chats[$0] != nil }, "no message ad served")
        for outcome in ["recorded", "already_counted"] {
            let click = try #require(try statusctl(["ads", "event", "--token", messageAd, "--type", "click", "--at", at]).lines.last)
            #expect(click["outcome"] as? String == outcome)
            let conversation = try #require(click["conversation"] as? [String: Any])
            #expect(conversation["chat"] as? String == chats[messageAd]! && conversation["advertiser"] is String)
        }
        var clicked: Set<String> = [token, messageAd]
        if let visitAd = tokens.dropFirst().first(where: { chats[$0] == nil }) {
            #expect(try statusctl(["ads", "event", "--token", visitAd, "--type", "click", "--at", at]).lines.last?["conversation"] == nil)
            clicked.insert(visitAd)
        }
        for forged in [String(token.reversed()), (token.first == "x" ? "y" : "x") + token.dropFirst(),
                       token.dropLast() + (token.last == "A" ? "B" : "A"), "nonsense"] {
            let refused = try statusctl(["ads", "event", "--token", String(forged), "--type", "click", "--at", at])
            #expect(refused.status == 1, "\(forged)")
            #expect((refused.lines.last?["error"] as? [String: Any])?["code"] as? String == "unknown_token")
        }
        #expect(try statusctl(["ads", "event", "--token", token, "--type", "like"]).status == 64)

        let csv = try statusctl(["ads", "report", "--from", "2026-11-25", "--to", "2026-11-25"])
        #expect(csv.status == 0)
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("day,campaign,creative,served,impressions,clicks,ctr,spend_micros") == true)
        #expect(lines.first == "day,campaign,creative,served,impressions,clicks,ctr,spend_micros,conversations")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try statusctl(["ads", "report", "--from", "2026-11-25", "--format", "json"]).stdout.utf8)) as? [[String: Any]])
        #expect(json.count == lines.count - 1)
        #expect(json.reduce(0) { $0 + ($1["served"] as? Int ?? 0) } == tokens.count)
        #expect(json.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) } == 1)
        #expect(json.reduce(0) { $0 + ($1["clicks"] as? Int ?? 0) } == clicked.count)
        #expect(json.reduce(0) { $0 + ($1["conversations"] as? Int ?? 0) } == clicked.filter { chats[$0] != nil }.count)
        #expect(json.allSatisfy { ($0["spend_micros"] as? Int ?? 0) > 0 })

        // Explain: the slot's candidates best first, the winner first among them, the price
        // between floor and bid, the pacing state.
        var explained = 0
        for n in 61...90 {
            let feed = try #require(try statusctl(["feed", "--viewer", "u\(n)", "--at", at, "--explain"]).lines.last)
            #expect(feed["ads"] is [String: Any])
            for ad in (feed["items"] as? [[String: Any]] ?? []) where ad["type"] as? String == "ad" {
                let explain = try #require(ad["explain"] as? [String: Any])
                let candidates = try #require(explain["candidates"] as? [[String: Any]])
                let scores = candidates.compactMap { $0["ecpm_micros"] as? Double }
                #expect(scores == scores.sorted(by: >))
                #expect(explain["winner"] as? String == ad["campaign"] as? String && candidates.first?["campaign"] as? String == ad["campaign"] as? String)
                let price = explain["price_cpm_micros"] as? Int ?? -1
                #expect(price >= explain["floor_cpm_micros"] as? Int ?? .max && price <= candidates.first?["bid_cpm_micros"] as? Int ?? -1)
                #expect((explain["pacing"] as? [String: Any])?["allowance_micros"] is Int)
                explained += 1
            }
        }
        #expect(explained > 0)

        // A preview is never charged: the report does not move.
        let before = try statusctl(["ads", "report", "--from", "2026-11-25", "--format", "json"]).stdout
        let preview = try #require(try statusctl(["ads", "preview", "--viewer", "u1", "--creative", "sneaker", "--at", at]).lines.last)
        let previewAds = (preview["items"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "ad" }
        #expect(previewAds.count == 1 && previewAds.first?["token"] is NSNull)
        #expect(((previewAds.first?["creative"] as? [String: Any])?["id"] as? String) == "sneaker")
        #expect(try statusctl(["ads", "report", "--from", "2026-11-25", "--format", "json"]).stdout == before)
        #expect(try statusctl(["ads", "preview", "--viewer", "u1", "--creative", "nope", "--at", at]).status == 1)

        // Spend never above a budget, as stored.
        let listed = try statusctl(["ads", "list"]).lines
        for campaign in listed {
            #expect((campaign["spent_micros"] as? Int ?? 0) <= (campaign["total_budget_micros"] as? Int ?? 0))
        }
    }
}
