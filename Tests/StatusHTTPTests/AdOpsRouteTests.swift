import Foundation
import Hummingbird
import HummingbirdTesting
import StatusEngine
import StatusHTTP
import Testing

/// Ads over HTTP: events counted once into the report, campaigns, manifest uploads, explain,
/// the preview page and the metrics.
@Suite(.serialized) struct AdOpsRouteTests {
    static let at = Harness.at

    @Test func feedsCarryAdsWhoseEventsCountOnceIntoTheReport() async throws {
        try await Harness.with { _, client in
            var tokens: [String] = []
            for n in 1...30 {
                let feed = try await client.send(.get, "/v1/feed/u\(n)?at=\(Self.at)")
                #expect(feed.status == .ok)
                tokens += (feed.object["items"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "ad" }.compactMap { $0["token"] as? String }
            }
            let token = try #require(tokens.first, "no feed had an ad")
            // The report counts the ads this server has just served, not only those recorded.
            let current = try await client.send(.get, "/v1/ads/report?from=2026-11-25", as: .adops).array
            #expect(current.reduce(0) { $0 + ($1["served"] as? Int ?? 0) } == tokens.count)
            for outcome in ["recorded", "already_counted"] {
                let event = try await client.send(.post, "/v1/ads/events", json: #"{"token": "\#(token)", "type": "impression", "at": "\#(Self.at)"}"#)
                #expect(event.status == .ok && event.object["outcome"] as? String == outcome)
            }
            for (body, status, code) in [(#"{"token": "t0.x", "type": "click"}"#, HTTPResponse.Status.notFound, "unknown_token"),
                                         (#"{"token": "\#(token)", "type": "like"}"#, .unprocessableContent, "invalid"),
                                         (#"{"type": "click"}"#, .badRequest, "bad_json"),
                                         ("not json", .badRequest, "bad_json")] {
                let refused = try await client.send(.post, "/v1/ads/events", json: body)
                #expect(refused.status == status && refused.errorCode == code, "\(body)")
            }
            let huge = #"{"token": "\#(String(repeating: "x", count: 5_000))", "type": "click"}"#
            #expect(try await client.send(.post, "/v1/ads/events", json: huge).status == .contentTooLarge)
            let csv = try await client.send(.get, "/v1/ads/report?from=2026-11-25&format=csv", as: .adops)
            #expect(csv.status == .ok && csv.text.hasPrefix("day,campaign,creative,served,impressions,clicks,ctr,spend_micros"))
            let rows = try await client.send(.get, "/v1/ads/report?from=2026-11-25&to=2026-11-25", as: .adops).array
            #expect(rows.reduce(0) { $0 + ($1["served"] as? Int ?? 0) } == tokens.count)
            #expect(rows.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) } == 1)
            #expect(try await client.send(.get, "/v1/ads/report?format=xml", as: .adops).status == .badRequest)
            // A range that ends before it starts is the one day `from`.
            let backwards = try await client.send(.get, "/v1/ads/report?from=2026-11-25&to=2026-11-20", as: .adops).array
            #expect(backwards.reduce(0) { $0 + ($1["served"] as? Int ?? 0) } == tokens.count)
            let metrics = try await client.send(.get, "/metrics", as: nil)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            for name in ["status_feed_seconds_bucket", "status_ad_selection_seconds_count", "status_ads_served_total",
                         #"status_ad_events_total{type="impression",outcome="already_counted"}"#, #"http_route="/v1/feed/{viewer}""#] {
                #expect(metrics.text.contains(name), "\(name)")
            }
        }
    }

    @Test func campaignsArePausedAndResumed() async throws {
        try await Harness.with { _, client in
            let campaigns = try await client.send(.get, "/v1/ads/campaigns", as: .adops)
            #expect(campaigns.array.compactMap { $0["id"] as? String }.sorted() == ["book-week", "morning-coffee", "sneaker-sale"])
            #expect(try await client.send(.post, "/v1/ads/campaigns/book-week/pause", as: .adops).object["active"] as? Bool == false)
            #expect(try await client.send(.post, "/v1/ads/campaigns/book-week/resume", as: .adops).object["active"] as? Bool == true)
            #expect(try await client.send(.post, "/v1/ads/campaigns/nope/pause", as: .adops).errorCode == "unknown_campaign")
            #expect(try await client.send(.post, "/v1/ads/campaigns/NOT%20AN%20ID/pause", as: .adops).status == .badRequest)
        }
    }

    @Test func manifestsAreUploadedWithTheirMediaAndCheckedAsTheCommandLineDoes() async throws {
        try await Harness.with { _, client in
            let manifest = try fixture("ads/demo.json")
            // Alone, the manifest's media are missing: every creative is refused, nothing loaded.
            let alone = try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: manifest))
            #expect(alone.status == .unprocessableContent && (alone.object["errors"] as? [[String: Any]])?.count == 3)
            #expect((alone.object["loaded"] as? [String: Int])?["creatives"] == 0)
            let partial = try await client.send(.post, "/v1/ads/manifests?partial=true", as: .adops, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(bytes: manifest))
            #expect(partial.status == .ok && (partial.object["loaded"] as? [String: Int])?["campaigns"] == 3)
            // With its media as parts of a form, it loads whole.
            let (headers, form) = Client.form([], files: [("manifest", "demo.json", "application/json", manifest),
                                                          ("media", "latte.jpg", "image/jpeg", try fixture("ads/latte.jpg")),
                                                          ("media", "sneaker.mp4", "video/mp4", try fixture("ads/sneaker.mp4"))])
            let loaded = try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: headers, body: form)
            #expect(loaded.status == .ok && (loaded.object["loaded"] as? [String: Int])?["creatives"] == 3, "\(loaded.text)")
            // CSV creatives for loaded campaigns.
            let (csvHeaders, csvForm) = Client.form([], files: [("manifest", "creatives.csv", "text/csv", try fixture("ads/creatives.csv")),
                                                                ("media", "latte.jpg", "image/jpeg", try fixture("ads/latte.jpg")),
                                                                ("media", "sneaker.mp4", "video/mp4", try fixture("ads/sneaker.mp4"))])
            let csv = try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: csvHeaders, body: csvForm)
            #expect(csv.status == .ok && (csv.object["loaded"] as? [String: Int])?["creatives"] == 2, "\(csv.text)")
            // Media paths may not leave the upload, and the store's files are not theirs to name.
            let escaping = String(decoding: manifest, as: UTF8.self).replacingOccurrences(of: "\"latte.jpg\"", with: "\"../status.sqlite\"")
                .replacingOccurrences(of: "\"sneaker.mp4\"", with: "\".hidden/sneaker.mp4\"")
            let (escHeaders, escForm) = Client.form([], files: [("manifest", "demo.json", "application/json", Array(escaping.utf8)),
                                                                ("media", "sneaker.mp4", "video/mp4", try fixture("ads/sneaker.mp4"))])
            let refused = try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: escHeaders, body: escForm)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect((refused.object["errors"] as? [[String: Any]])?.contains { ($0["reason"] as? String ?? "").contains("inside") } == true, "\(refused.text)")
            #expect((refused.object["errors"] as? [[String: Any]])?.count == 3, "two escaping paths and a hidden name: \(refused.text)")
            let (badHeaders, badForm) = Client.form([], files: [("manifest", "demo.json", "application/json", manifest),
                                                                ("media", "../latte.jpg", "image/jpeg", try fixture("ads/latte.jpg"))])
            #expect(try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: badHeaders, body: badForm).errorCode == "bad_file_name")
            let (noManifest, noForm) = Client.form([("note", "x")], files: [])
            #expect(try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: noManifest, body: noForm).errorCode == "bad_multipart")
            #expect(try await client.send(.post, "/v1/ads/manifests", as: .adops, headers: [.contentType: "application/xml"],
                                          body: ByteBuffer(string: "<x/>")).status == .unsupportedMediaType)
            // With partial, a manifest of which nothing could be loaded is still 422.
            for body in ["null", "[1]", #"{"campaigns": [{"id": "x"}]}"#] {
                let nothing = try await client.send(.post, "/v1/ads/manifests?partial=true", as: .adops, json: body)
                #expect(nothing.status == .unprocessableContent && nothing.object["partial"] as? Bool == true, "\(body)")
            }
            let broken = try await client.send(.post, "/v1/ads/manifests", as: .adops, json: #"{"campaigns": [{"id": "x"}]}"#)
            #expect(broken.status == .unprocessableContent && (broken.object["errors"] as? [[String: Any]])?.isEmpty == false)
        }
    }

    @Test func explainAndThePreviewPageShowTheSameFeed() async throws {
        try await Harness.with { _, client in
            var viewer: String?
            var explained: [[String: Any]] = []
            for n in 1...40 {
                let page = try await client.send(.get, "/v1/ads/explain/u\(n)?at=\(Self.at)", as: .adops)
                explained = page.object["items"] as? [[String: Any]] ?? []
                if explained.contains(where: { $0["type"] as? String == "ad" }) { viewer = "u\(n)"; break }
            }
            let chosen = try #require(viewer, "no viewer had an ad")
            let ad = try #require(explained.first { $0["type"] as? String == "ad" })
            #expect(ad["explain"] != nil && ad["token"] is NSNull, "preview ads are never charged")
            let forced = try await client.send(.get, "/v1/ads/explain/\(chosen)?at=\(Self.at)&creative=sneaker", as: .adops)
            #expect((forced.object["items"] as? [[String: Any]])?.contains { ($0["creative"] as? [String: Any])?["id"] as? String == "sneaker" } == true)
            #expect(try await client.send(.get, "/v1/ads/explain/\(chosen)?creative=nope", as: .adops).status == .unprocessableContent)

            let page = try await client.send(.get, "/v1/ads/preview/\(chosen)?at=\(Self.at)", as: .adops)
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.text
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
            let groups = explained.filter { $0["type"] as? String == "author" }.count
            #expect(html.components(separatedBy: "<article class=\"card author").count - 1 == groups)
            #expect(html.components(separatedBy: "<article class=\"card ad\"").count - 1 == explained.count - groups)
            #expect(html.contains("data:image/jpeg;base64,"), "thumbnails are inlined")
            #expect(html.contains(PreviewEscapeProbe.escaped(ad["headline"] as? String ?? "")))
            // Cards come in tap-through order: the ad sits where explain puts it.
            let position = try #require(explained.firstIndex { $0["type"] as? String == "ad" })
            #expect(html.contains("<li data-position=\"\(position)\"><article class=\"card ad\""))
            #expect(try await client.send(.get, "/v1/ads/preview/nobody", as: .adops).status == .notFound)
        }
    }
}

/// What the page must show of a text: HTML-escaped.
enum PreviewEscapeProbe {
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
