import Foundation
import StatusEngine

/// The ad ops preview page: a viewer's feed as a phone-width strip of cards in tap-through
/// order, each author group with its thumbnails and each ad slot highlighted with its creative,
/// advertiser, call to action and the auction's figures. Plain server-side HTML and CSS, no
/// scripts; thumbnails are inlined (`data:` URLs), so the page needs nothing else from the server.
struct PreviewPage {
    let page: FeedPage
    let policy: AdsPolicy
    let store: any StatusStorage
    let at: Timestamp

    /// The largest thumbnail inlined; a larger file is shown as a placeholder.
    static let maxInlineBytes = 512 << 10

    func render() async throws -> String {
        var items: [String] = []
        for group in page.feed.groups { items.append(try await card(group)) }
        for ad in page.ads.sorted(by: { $0.placement.position > $1.placement.position }) where ad.placement.position <= items.count {
            items.insert(try await adCard(ad), at: ad.placement.position)
        }
        var muted: [String] = []
        for group in page.feed.muted { muted.append(try await card(group)) }
        let viewer = Self.escape(page.feed.viewer.rawValue)
        let note: String
        if let skipped = page.adsSkipped {
            note = "<p class=\"note\">No ads: <code>\(Self.escape(skipped))</code></p>"
        } else if page.ads.isEmpty {
            note = "<p class=\"note\">No ad won a slot in this feed.</p>"
        } else {
            note = "<p class=\"note\">\(page.ads.count) ad\(page.ads.count == 1 ? "" : "s") placed; previews are never charged or counted.</p>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Status preview: \(viewer)</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main class="phone">
            <header><h1>Status</h1><p>Feed of <strong>\(viewer)</strong> at <time datetime="\(at.iso8601)">\(at.iso8601)</time></p>\(note)</header>
            <ol class="strip">
            \(items.enumerated().map { "<li data-position=\"\($0.offset)\">\($0.element)</li>" }.joined(separator: "\n"))
            </ol>
            \(items.isEmpty ? "<p class=\"empty\">Nothing to show: no contact has a visible post at this time.</p>" : "")
            \(muted.isEmpty ? "" : "<section class=\"muted\"><h2>Muted updates</h2><ol class=\"strip\">\(muted.map { "<li>\($0)</li>" }.joined())</ol></section>")
            </main>
            </body>
            </html>
            """
    }

    private func card(_ group: FeedGroup) async throws -> String {
        var thumbs: [String] = []
        for entry in group.entries {
            let post = entry.post
            let picture = try await image(post.blob(.thumb), alt: "\(post.kind.rawValue) post \(post.id)")
            let label = post.text.map { Self.escape(String($0.text.prefix(40))) } ?? post.caption.map { Self.escape(String($0.prefix(40))) } ?? ""
            thumbs.append("""
                <figure class="thumb\(entry.seen ? " seen" : "")">\(picture)<figcaption><span class="kind">\(post.kind.rawValue)</span> \
                <time>\(Self.clock(post.createdAt))</time>\(label.isEmpty ? "" : "<br>\(label)")</figcaption></figure>
                """)
        }
        return """
            <article class="card author \(group.section.rawValue)"><h2><span class="ring"></span>\(Self.escape(group.author.rawValue))\
            <span class="badge">\(group.section.rawValue)</span></h2><div class="thumbs">\(thumbs.joined())</div></article>
            """
    }

    private func adCard(_ ad: PlacedAd) async throws -> String {
        let placement = ad.placement
        let auction = placement.auction
        let picture = try await image(ad.creative.blobs.first { $0.role == .display } ?? ad.creative.blobs.first { $0.role == .thumb },
                                      alt: "creative \(ad.creative.creative.id)")
        let cta: String
        switch ad.creative.creative.callToAction {
        case .message: cta = "Message" + (placement.advertiser.chat.map { " <small>\(Self.escape($0))</small>" } ?? "")
        case .visit(let url): cta = "Visit <small>\(Self.escape(url))</small>"
        }
        let figures: [(String, String)] = [
            ("Slot", "\(placement.slot) (after \(placement.position) group\(placement.position == 1 ? "" : "s"))"),
            ("Campaign", placement.campaign.id.rawValue),
            ("Winner", auction.winner.campaign.rawValue),
            ("Runner-up", auction.runnerUp?.campaign.rawValue ?? "none"),
            ("Bid CPM", Self.money(placement.campaign.bidCPMMicros)),
            ("Price CPM", Self.money(auction.priceCPMMicros)),
            ("Floor CPM", Self.money(policy.floorCPMMicros)),
            ("Predicted CTR", String(format: "%.2f%%", auction.winner.predictedCTR * 100)),
            ("Pacing", "\(placement.campaign.pacing.rawValue): \(Self.money(placement.spentToday)) of \(Self.money(placement.allowance)) allowed today"),
            ("Candidates", auction.ranking.map { "\($0.campaign.rawValue) (eCPM \(Self.money(Int64($0.eCPM.rounded()))))" }.joined(separator: ", ")),
        ]
        return """
            <article class="card ad"><p class="sponsored">Sponsored · \(Self.escape(placement.advertiser.name))</p>\
            <div class="creative">\(picture)\(ad.creative.kind == .video ? "<span class=\"play\">▶</span>" : "")</div>\
            <p class="headline">\(Self.escape(ad.creative.creative.headline))</p><p class="cta">\(cta)</p>\
            <dl class="explain">\(figures.map { "<dt>\(Self.escape($0.0))</dt><dd>\(Self.escape($0.1))</dd>" }.joined())</dl></article>
            """
    }

    /// An `<img>` with the file inlined, or a placeholder when it cannot be.
    private func image(_ blob: BlobRef?, alt: String) async throws -> String {
        guard let blob, blob.bytes <= Self.maxInlineBytes,
              let servable = try await store.servableBlob(blob.id, at: at),
              let bytes = FileManager.default.contents(atPath: servable.path) else {
            return "<span class=\"placeholder\" role=\"img\" aria-label=\"\(Self.escape(alt))\"></span>"
        }
        let size = blob.width.flatMap { w in blob.height.map { h in " width=\"\(w)\" height=\"\(h)\"" } } ?? ""
        return "<img src=\"data:\(servable.contentType);base64,\(bytes.base64EncodedString())\" alt=\"\(Self.escape(alt))\"\(size)>"
    }

    static func money(_ micros: Int64) -> String { String(format: "$%.2f", Double(micros) / 1_000_000) }

    static func clock(_ time: Timestamp) -> String { String(time.iso8601.dropFirst(11).prefix(5)) }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static let style = """
        :root { color-scheme: light; font-family: "Noto Sans", system-ui, sans-serif; }
        body { margin: 0; background: #d9dbd5; }
        .phone { box-sizing: border-box; max-width: 412px; margin: 0 auto; min-height: 100vh; background: #fff; padding: 0 0 24px; }
        header { background: #075e54; color: #fff; padding: 12px 16px; }
        header h1 { margin: 0; font-size: 20px; }
        header p { margin: 4px 0 0; font-size: 13px; }
        header .note { opacity: .85; }
        .strip { list-style: none; margin: 0; padding: 8px; display: flex; flex-direction: column; gap: 8px; }
        .card { border-radius: 12px; padding: 10px 12px; background: #f7f8fa; border: 1px solid #e3e5e8; }
        .card h2 { font-size: 15px; margin: 0 0 8px; display: flex; align-items: center; gap: 8px; }
        .ring { width: 14px; height: 14px; border-radius: 50%; border: 3px solid #25d366; }
        .viewed .ring, .muted .ring { border-color: #b7bcc2; }
        .badge { margin-left: auto; font-size: 11px; font-weight: normal; color: #54656f; text-transform: uppercase; }
        .thumbs { display: flex; gap: 8px; overflow-x: auto; }
        .thumb { margin: 0; width: 96px; flex: none; font-size: 11px; color: #54656f; }
        .thumb img, .thumb .placeholder { display: block; width: 96px; height: 96px; object-fit: cover; border-radius: 8px; background: #cfd4d8; }
        .thumb.seen img { opacity: .6; }
        .thumb figcaption { margin-top: 4px; overflow-wrap: anywhere; }
        .kind { font-weight: bold; }
        .ad { background: #fff8e1; border: 2px solid #f4b400; }
        .sponsored { margin: 0 0 6px; font-size: 12px; font-weight: bold; color: #8a6d00; }
        .creative { position: relative; }
        .creative img, .creative .placeholder { display: block; width: 100%; height: auto; max-height: 420px; object-fit: contain; border-radius: 8px; background: #222; }
        .creative .placeholder { height: 200px; }
        .play { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; font-size: 40px; color: #fff; text-shadow: 0 0 8px #000; }
        .headline { font-size: 15px; margin: 8px 0 4px; }
        .cta { display: inline-block; margin: 4px 0 8px; padding: 6px 14px; border-radius: 16px; background: #25d366; color: #fff; font-weight: bold; font-size: 14px; }
        .explain { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; font-size: 12px; }
        .explain dt { color: #8a6d00; }
        .explain dd { margin: 0; overflow-wrap: anywhere; }
        .muted h2 { font-size: 14px; color: #54656f; margin: 16px 16px 0; }
        .empty { padding: 16px; color: #54656f; }
        """
}
