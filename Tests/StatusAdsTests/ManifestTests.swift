import StatusAds
import StatusCore
import Testing

@Suite struct ManifestTests {
    let good = """
        {"advertisers": [{"id": "cafe", "name": "Cairo Café", "chat": "+201000000001"},
                         {"id": "shoes", "name": "Lagos Shoes"}],
         "campaigns": [{"id": "morning", "advertiser": "cafe", "bid_cpm_micros": 2500000, "daily_budget_micros": 50000000,
                        "total_budget_micros": 500000000, "start": "2026-11-25T00:00:00Z", "end": "2026-12-25T00:00:00Z",
                        "targeting": {"countries": ["EG", "SA"], "languages": ["ar"], "age": [18, 45]}, "pacing": "even",
                        "frequency_caps": [{"scope": "campaign", "max": 3, "window_s": 86400},
                                           {"scope": "advertiser", "max": 5, "window_s": 604800}]},
                       {"id": "sale", "advertiser": "shoes", "bid_cpm_micros": 1000000, "daily_budget_micros": 10000000,
                        "total_budget_micros": 10000000, "start": "2026-11-25T00:00:00Z", "end": "2026-11-26T00:00:00Z",
                        "pacing": "asap"}],
         "creatives": [{"id": "latte", "campaign": "morning", "media": "media/latte.jpg", "headline": "قهوة الصباح ☕",
                        "cta": {"type": "message"}},
                       {"id": "sneaker", "campaign": "sale", "media": "sneaker.mp4", "headline": "50% off today",
                        "cta": {"type": "visit", "url": "https://shoes.example/sale"}}]}
        """

    func parse(_ text: String) -> AdManifest { AdManifest.parse(json: Array(text.utf8)) }

    @Test func aGoodManifestGivesEveryEntryAndNoErrors() {
        let manifest = parse(good)
        #expect(manifest.errors.isEmpty, "\(manifest.errors)")
        #expect(manifest.advertisers.map(\.id.rawValue) == ["cafe", "shoes"])
        #expect(manifest.advertisers[0].chat == "+201000000001" && manifest.advertisers[1].chat == nil)
        let morning = manifest.campaigns[0]
        #expect(morning.bidCPMMicros == 2_500_000 && morning.dailyBudgetMicros == 50_000_000)
        #expect(morning.targeting == Targeting(countries: ["SA", "EG"], languages: ["ar"], ages: 18...45))
        #expect(morning.frequencyCaps == [FrequencyCap(scope: .campaign, max: 3, windowSeconds: 86_400),
                                          FrequencyCap(scope: .advertiser, max: 5, windowSeconds: 604_800)])
        #expect(morning.start == Timestamp(parsing: "2026-11-25T00:00:00Z") && morning.pacing == .even)
        #expect(manifest.campaigns[1].targeting == .anyone && manifest.campaigns[1].pacing == .asap)
        #expect(manifest.creatives.map(\.callToAction) == [.message, .visit(url: "https://shoes.example/sale")])
        #expect(manifest.creatives[0].headline == "قهوة الصباح ☕")
    }

    @Test func everyProblemIsReportedWithItsJSONPath() {
        let bad = """
            {"advertisers": [{"id": "cafe", "name": "Café", "chat": "no spaces allowed"},
                             {"id": "cafe", "name": "Again"},
                             {"id": "ok", "name": "", "colour": "red"}],
             "campaigns": [{"id": "c1", "advertiser": "ghost", "bid_cpm_micros": 1.5, "daily_budget_micros": -5,
                            "total_budget_micros": 99999999999999999999, "start": "2026-11-25", "end": "2026-11-24T00:00:00Z",
                            "targeting": {"countries": ["EG", "XX", 7], "languages": ["not a tag"], "age": [10, 200]},
                            "pacing": "fast", "frequency_caps": [{"scope": "world", "max": 0, "window_s": 1}]},
                           {"id": "c2", "advertiser": "ok", "bid_cpm_micros": 1000, "daily_budget_micros": 2000,
                            "total_budget_micros": 1000, "start": "2026-11-25T00:00:00Z", "end": "2026-11-26T00:00:00Z"}],
             "creatives": [{"id": "k1", "campaign": "c2", "media": "../../etc/passwd", "headline": "",
                            "cta": {"type": "visit", "url": "http://plain.example"}},
                           {"id": "k2", "campaign": "nope", "media": "/abs.jpg", "headline": "\(String(repeating: "x", count: 61))",
                            "cta": {"type": "message", "url": "https://x.example"}},
                           {"id": "k3", "campaign": "c2", "media": "a.jpg", "headline": "hi", "cta": {"type": "call"}}],
             "extra": 1}
            """
        let manifest = parse(bad)
        let found = Set(manifest.errors.map(\.location))
        let expected: Set<String> = [
            "$.extra",
            "$.advertisers[0].chat", "$.advertisers[1].id", "$.advertisers[2].name", "$.advertisers[2].colour",
            "$.campaigns[0].advertiser", "$.campaigns[0].bid_cpm_micros", "$.campaigns[0].daily_budget_micros",
            "$.campaigns[0].total_budget_micros", "$.campaigns[0].start", "$.campaigns[0].pacing",
            "$.campaigns[0].targeting.countries[1]", "$.campaigns[0].targeting.countries[2]",
            "$.campaigns[0].targeting.languages[0]", "$.campaigns[0].targeting.age",
            "$.campaigns[0].frequency_caps[0].scope", "$.campaigns[0].frequency_caps[0].max",
            "$.campaigns[0].frequency_caps[0].window_s",
            "$.campaigns[1].advertiser", "$.campaigns[1].daily_budget_micros",
            "$.creatives[0].campaign", "$.creatives[0].media", "$.creatives[0].headline", "$.creatives[0].cta.url",
            "$.creatives[1].campaign", "$.creatives[1].media", "$.creatives[1].headline", "$.creatives[1].cta.url",
            "$.creatives[2].campaign", "$.creatives[2].cta.type",
        ]
        #expect(found == expected, "missing \(expected.subtracting(found)), unexpected \(found.subtracting(expected))")
        // Only the first "cafe" is good; everything that depends on a refused entry is refused too.
        #expect(manifest.campaigns.isEmpty && manifest.creatives.isEmpty)
        #expect(manifest.errors.first { $0.location == "$.campaigns[1].advertiser" }?.reason == "advertiser ok was refused")
        #expect(manifest.errors.first { $0.location == "$.campaigns[0].total_budget_micros" }?.reason.contains("integer") == true)
        #expect(manifest.errors.allSatisfy { !$0.reason.isEmpty })
    }

    @Test func aMessageAdNeedsTheAdvertisersChatHandle() {
        let manifest = parse(good.replacingOccurrences(of: #""chat": "+201000000001""#, with: #""chat": null"#))
        #expect(manifest.errors.map(\.location) == ["$.creatives[0].cta"])
        #expect(manifest.creatives.map(\.id.rawValue) == ["sneaker"])
    }

    /// Found by scripts/adversarial: a fraction past a double's precision was rounded to a whole
    /// number and loaded, a number past a double's range was reported as "not JSON" at `$`, and a
    /// NUL was stored as the end of the text.
    @Test func numbersAreReadExactlyAndNULIsRefused() {
        for bid in ["999999999.9999999999", "1000000.0000000000001", "1.5"] {
            let manifest = parse(good.replacingOccurrences(of: #""bid_cpm_micros": 2500000"#, with: #""bid_cpm_micros": \#(bid)"#))
            #expect(manifest.errors.map(\.location).contains("$.campaigns[0].bid_cpm_micros"), "\(bid): \(manifest.errors)")
        }
        let whole = parse(good.replacingOccurrences(of: #""bid_cpm_micros": 2500000"#, with: #""bid_cpm_micros": 2500000.0"#))
        #expect(whole.errors.isEmpty && whole.campaigns.first?.bidCPMMicros == 2_500_000)
        let huge = parse(good.replacingOccurrences(of: #""bid_cpm_micros": 2500000"#, with: #""bid_cpm_micros": 1e400"#))
        #expect(huge.errors.map(\.location) == ["$.campaigns[0].bid_cpm_micros"], "\(huge.errors)")
        #expect(huge.campaigns.isEmpty && huge.creatives.isEmpty)
        // A malformed string (a bad escape) makes the document not JSON; it is not a number.
        let escape = parse(good.replacingOccurrences(of: #""headline": ""#, with: #""headline": "\x41"#))
        #expect(escape.errors.map(\.location) == ["$"] && escape.errors[0].reason.hasPrefix("not JSON"), "\(escape.errors)")
        let nul = parse(good.replacingOccurrences(of: #""headline": ""#, with: #""headline": "a\u0000b"#))
        #expect(nul.errors.contains { $0.location.hasSuffix(".headline") && $0.reason.contains("NUL") }, "\(nul.errors)")
    }

    @Test func malformedDocumentsAreRefusedWhole() {
        for text in ["", "not json", "[1, 2]", "{\"advertisers\": {}}", "{}", "{\"campaigns\": [3]}", "{\"advertisers\": [{\"id\": 5}]}"] {
            let manifest = parse(text)
            #expect(!manifest.errors.isEmpty, "\(text)")
            #expect(manifest.advertisers.isEmpty && manifest.campaigns.isEmpty && manifest.creatives.isEmpty)
        }
    }
}

@Suite struct CSVManifestTests {
    let loaded: [CampaignID: String?] = [CampaignID(rawValue: "morning")!: "cafe", CampaignID(rawValue: "quiet")!: String?.none]

    @Test func creativesComeFromCSVRowsWithQuotingAndAnyColumnOrder() {
        let csv = [
            "campaign,id,media,headline,cta_type,cta_url",
            #"morning,latte,media/latte.jpg,"Coffee, fresh ""today""",message,"#,
            #"quiet,books,books.jpg,"Two"#,
            #"lines",visit,https://books.example/x"#,
            "",
        ].joined(separator: "\r\n")
        let manifest = AdManifest.parse(csv: Array(csv.utf8), campaigns: loaded)
        #expect(manifest.errors.isEmpty, "\(manifest.errors)")
        #expect(manifest.creatives.map(\.headline) == ["Coffee, fresh \"today\"", "Two\nlines"])
        #expect(manifest.creatives.map(\.callToAction) == [.message, .visit(url: "https://books.example/x")])
        #expect(manifest.locations[CreativeID(rawValue: "books")!] == "line 3")
    }

    /// A media path is made of plain names in both forms: a `..` is refused even where it would
    /// land back inside the folder (a directory on the way may be a link out of it), and so are
    /// `.`, hidden, empty and absolute parts (found by the manifest-csv fuzzer: `b/../c.mp4`).
    @Test func mediaPathsAreMadeOfPlainNamesInBothForms() {
        let accepted = ["latte.jpg", "ads/latte.jpg", "a b/é.mp4", "a..b.jpg", String(repeating: "n", count: 255)]
        let refused = ["b/../latte.jpg", "../latte.jpg", "./latte.jpg", "ads/./latte.jpg", ".hidden.jpg", "ads/.x/a.jpg",
                       "/abs.jpg", "a//b.jpg", "ads/", "a\\b.jpg", "a\tb.jpg", String(repeating: "n", count: 256),
                       String(repeating: "n/", count: 512) + "n"]
        for (index, media) in (accepted + refused).enumerated() {
            let csv = "id,campaign,media,headline,cta_type,cta_url\nk\(index),morning,\"\(media)\",Hi,message,\n"
            let manifest = AdManifest.parse(csv: Array(csv.utf8), campaigns: loaded)
            #expect(manifest.creatives.map(\.media) == (accepted.contains(media) ? [media] : []), "\(media.debugDescription)")
            #expect(manifest.errors.map(\.location) == (accepted.contains(media) ? [] : ["line 2, column media"]), "\(media.debugDescription)")
        }
        #expect(RelativePath.isPlain("b/../latte.jpg") == false && RelativePath.isPlain("b/latte.jpg"))
    }

    @Test func badRowsAreLocatedByLineAndColumn() {
        let csv = """
            id,campaign,media,headline,cta_type,cta_url
            a1,ghost,a.jpg,Hi,visit,https://x.example
            a2,quiet,a.jpg,Hi,message,
            a3,morning,../a.jpg,,visit,http://x.example
            a1,morning,b.jpg,Again,message,
            a4,morning,c.jpg,Short row
            "a5,morning,c.jpg,Never closed
            """
        let manifest = AdManifest.parse(csv: Array(csv.utf8), campaigns: loaded)
        #expect(manifest.errors.map(\.location) == ["line 7"])    // the unclosed quote stops the file
        let rows = AdManifest.parse(csv: Array(csv.split(separator: "\n").dropLast().joined(separator: "\n").utf8), campaigns: loaded)
        #expect(rows.errors.map(\.location) == [
            "line 2, column campaign", "line 3, column cta_type", "line 4, column media", "line 4, column headline",
            "line 4, column cta_url", "line 6",
        ])
        #expect(rows.creatives.map(\.id.rawValue) == ["a1"])      // the second a1 is a duplicate, not an error of its own
        let header = AdManifest.parse(csv: Array("id,campaign,colour\n".utf8), campaigns: loaded)
        #expect(Set(header.errors.map(\.reason)).count == header.errors.count && header.errors.count == 4)
    }
}
