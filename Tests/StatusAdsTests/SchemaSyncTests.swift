import Foundation
import StatusAds
import StatusCore
import Testing

/// Keeps `docs/ad-manifest.schema.json` and the manifest parser in step: every object the schema
/// describes is given to the parser with each field taken away and with a field added, and the
/// parser must agree with the schema on what is required, what is allowed and which ids, chat
/// handles and times are well formed.
@Suite struct SchemaSyncTests {
    static var schema: [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/ad-manifest.schema.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static var definitions: [String: Any] { schema["$defs"] as? [String: Any] ?? [:] }

    static func definition(_ path: [String]) -> [String: Any] {
        var node: Any = schema
        for key in path {
            if let index = Int(key), let array = node as? [Any] { node = array[index] } else { node = (node as? [String: Any])?[key] as Any }
        }
        return node as? [String: Any] ?? [:]
    }

    /// A manifest using every field the schema names, once each.
    static var full: [String: Any] { [
        "advertisers": [["id": "cafe", "name": "Cairo Café", "chat": "+201000000001"]],
        "campaigns": [[
            "id": "morning", "advertiser": "cafe", "bid_cpm_micros": 2_500_000, "daily_budget_micros": 50_000_000,
            "total_budget_micros": 500_000_000, "start": "2026-11-25T00:00:00Z", "end": "2026-12-25T00:00:00Z",
            "targeting": ["countries": ["EG"], "languages": ["ar"], "age": [18, 45]], "pacing": "even",
            "frequency_caps": [["scope": "campaign", "max": 3, "window_s": 86_400]],
        ]],
        "creatives": [
            ["id": "latte", "campaign": "morning", "media": "latte.jpg", "headline": "Morning coffee", "cta": ["type": "message"]],
            ["id": "beans", "campaign": "morning", "media": "latte.jpg", "headline": "Beans",
             "cta": ["type": "visit", "url": "https://cafe.example/beans"]],
        ],
    ] }

    /// Each object of the manifest: where it sits (keys and indexes), its JSON path as the parser
    /// reports it, and its definition in the schema.
    static let objects: [(at: [String], path: String, schema: [String])] = [
        ([], "$", []),
        (["advertisers", "0"], "$.advertisers[0]", ["$defs", "advertiser"]),
        (["campaigns", "0"], "$.campaigns[0]", ["$defs", "campaign"]),
        (["campaigns", "0", "targeting"], "$.campaigns[0].targeting", ["$defs", "campaign", "properties", "targeting"]),
        (["campaigns", "0", "frequency_caps", "0"], "$.campaigns[0].frequency_caps[0]",
         ["$defs", "campaign", "properties", "frequency_caps", "items"]),
        (["creatives", "0"], "$.creatives[0]", ["$defs", "creative"]),
        (["creatives", "0", "cta"], "$.creatives[0].cta", ["$defs", "creative", "properties", "cta", "oneOf", "0"]),
        (["creatives", "1", "cta"], "$.creatives[1].cta", ["$defs", "creative", "properties", "cta", "oneOf", "1"]),
    ]

    static func get(_ document: Any, _ at: [String]) -> [String: Any] {
        var node = document
        for key in at {
            if let index = Int(key), let array = node as? [Any] { node = array[index] } else { node = (node as? [String: Any])?[key] as Any }
        }
        return node as? [String: Any] ?? [:]
    }

    static func set(_ document: Any, _ at: ArraySlice<String>, _ change: ([String: Any]) -> [String: Any]) -> Any {
        guard let key = at.first else { return change(document as? [String: Any] ?? [:]) }
        if let index = Int(key), var array = document as? [Any] {
            array[index] = set(array[index], at.dropFirst(), change)
            return array
        }
        var object = document as? [String: Any] ?? [:]
        object[key] = set(object[key] as Any, at.dropFirst(), change)
        return object
    }

    static func parse(_ document: Any) throws -> AdManifest {
        AdManifest.parse(json: Array(try JSONSerialization.data(withJSONObject: document)))
    }

    @Test func theFullManifestUsesEveryFieldTheSchemaNamesAndParsesCleanly() throws {
        #expect(!Self.definitions.isEmpty, "the schema was not found or not readable")
        for object in Self.objects {
            let definition = Self.definition(object.schema)
            let named = Set((definition["properties"] as? [String: Any] ?? [:]).keys)
            #expect(!named.isEmpty, "\(object.path)")
            #expect(Set(Self.get(Self.full, object.at).keys) == named, "\(object.path)")
        }
        let manifest = try Self.parse(Self.full)
        #expect(manifest.errors.isEmpty, "\(manifest.errors)")
        #expect(manifest.advertisers.count == 1 && manifest.campaigns.count == 1 && manifest.creatives.count == 2)
    }

    @Test func aFieldIsRequiredByTheParserExactlyWhenTheSchemaRequiresIt() throws {
        for object in Self.objects where !object.at.isEmpty {
            let definition = Self.definition(object.schema)
            let required = Set(definition["required"] as? [String] ?? [])
            for key in (definition["properties"] as? [String: Any] ?? [:]).keys.sorted() {
                let without = Self.set(Self.full, object.at[...]) { var o = $0; o.removeValue(forKey: key); return o }
                let errors = try Self.parse(without).errors.filter { $0.location == object.path || $0.location.hasPrefix(object.path + ".") }
                if required.contains(key) {
                    #expect(!errors.isEmpty, "\(object.path).\(key) is required by the schema, not by the parser")
                } else {
                    #expect(errors.isEmpty, "\(object.path).\(key) is optional in the schema, required by the parser: \(errors)")
                }
            }
        }
    }

    @Test func fieldsTheSchemaDoesNotNameAreRefusedByBoth() throws {
        for object in Self.objects {
            #expect(Self.definition(object.schema)["additionalProperties"] as? Bool == false, "\(object.path)")
            let extra = Self.set(Self.full, object.at[...]) { var o = $0; o["colour"] = "red"; return o }
            let errors = try Self.parse(extra).errors
            #expect(errors.contains { $0.location == (object.path == "$" ? "$.colour" : object.path + ".colour") }, "\(object.path): \(errors)")
        }
    }

    func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    @Test func idsChatHandlesAndTimesAreWellFormedForBoth() throws {
        let idPattern = try #require(Self.definitions["id"] as? [String: Any])["pattern"] as? String ?? ""
        let ids = ["a", "cafe-1", "x:y.z_w", "A.B", String(repeating: "a", count: 64), String(repeating: "a", count: 65), "", "a b",
                   "../x", "x/y", "é", "a\u{0}", "-lead", "caf%C3%A9"]
        for id in ids {
            #expect(matches(idPattern, id) == (AdvertiserID(rawValue: id) != nil), "id \(id.debugDescription)")
            #expect(matches(idPattern, id) == (CampaignID(rawValue: id) != nil), "id \(id.debugDescription)")
            #expect(matches(idPattern, id) == (CreativeID(rawValue: id) != nil), "id \(id.debugDescription)")
        }
        let chatPattern = Self.definition(["$defs", "advertiser", "properties", "chat"])["pattern"] as? String ?? ""
        for chat in ["+201000000001", "+12345", "+123456", "+1234567890123456", "cafe", "ca", "cafe.shop_1", "café", "cafe shop",
                     String(repeating: "c", count: 64), String(repeating: "c", count: 65), "+20 100"] {
            let document = Self.set(Self.full, ["advertisers", "0"]) { var o = $0; o["chat"] = chat; return o }
            let refused = try Self.parse(document).errors.contains { $0.location == "$.advertisers[0].chat" }
            #expect(matches(chatPattern, chat) == !refused, "chat \(chat.debugDescription)")
        }
        let timePattern = try #require(Self.definitions["time"] as? [String: Any])["pattern"] as? String ?? ""
        for time in ["2026-11-25T00:00:00Z", "2026-11-25T00:00:00.5Z", "2026-11-25T00:00:00+02:00", "2026-11-25", "1764028800",
                     "2026-11-25 00:00:00Z"] {
            let document = Self.set(Self.full, ["campaigns", "0"]) { var o = $0; o["start"] = time; return o }
            let refused = try Self.parse(document).errors.contains { $0.location == "$.campaigns[0].start" }
            #expect(matches(timePattern, time) == !refused, "time \(time.debugDescription)")
        }
        let mediaPattern = Self.definition(["$defs", "creative", "properties", "media"])["pattern"] as? String ?? ""
        #expect(!mediaPattern.isEmpty)
        for media in ["latte.jpg", "ads/latte.jpg", "a b/é.mp4", "../latte.jpg", "b/../latte.jpg", "./latte.jpg", "ads/./a.jpg",
                      ".hidden.jpg", "ads/.x/a.jpg", "/abs.jpg", "a//b.jpg", "a/", "a\\b.jpg", "a\u{0}b.jpg", "a\u{1F}b", "a\u{7F}b", "a..b.jpg"] {
            let document = Self.set(Self.full, ["creatives", "0"]) { var o = $0; o["media"] = media; return o }
            let refused = try Self.parse(document).errors.contains { $0.location == "$.creatives[0].media" }
            #expect(matches(mediaPattern, media) == !refused, "media \(media.debugDescription)")
        }
    }
}
