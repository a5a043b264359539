import Foundation

/// Writes feed pages as JSON bytes for the hot path (the HTTP API's `GET /v1/feed/{viewer}`):
/// the same text as `FeedPage.json(explain: false).serialized`, but each post's JSON is made once
/// and kept, since a post's content never changes; a feed is then mostly copies of those bytes
/// around the viewer's `seen` flags. Building the whole JSON tree for every answer cost most of a
/// feed request.
final class FeedPageWriter: @unchecked Sendable {
    // @unchecked: `fragments` is only touched under `lock`.
    private let lock = NSLock()
    /// Post id → its feed JSON before and after the `seen` member.
    private var fragments: [PostID: (head: [UInt8], tail: [UInt8])] = [:]
    /// Kept posts at most; past it the cache starts again (posts live a day, so it refills).
    static let capacity = 200_000

    func write(_ page: FeedPage, policy: AdsPolicy) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4_096 + 400 * page.feed.groups.reduce(0) { $0 + $1.entries.count })
        let feed = page.feed
        Self.raw("{\"viewer\":", &out)
        JSONValue.writeString(feed.viewer.rawValue, to: &out)
        Self.raw(",\"at\":", &out)
        JSONValue.writeString(feed.at.iso8601, to: &out)
        Self.raw(",\"items\":[", &out)
        // Ads stand between groups where the page puts them (as `FeedPage.json`).
        var adsAt: [Int: [PlacedAd]] = [:]
        for ad in page.ads where ad.placement.position <= feed.groups.count {
            adsAt[ad.placement.position, default: []].append(ad)
        }
        var first = true
        func item(_ body: (inout [UInt8]) -> Void) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            body(&out)
        }
        for position in 0...feed.groups.count {
            // Several ads at one position keep the order `FeedPage.json` gives them.
            for ad in (adsAt[position] ?? []).reversed() { item { ad.json.write(to: &$0) } }
            if position < feed.groups.count { item { write(feed.groups[position], to: &$0) } }
        }
        Self.raw("],\"muted\":[", &out)
        first = true
        for group in feed.muted { item { write(group, to: &$0) } }
        Self.raw("]}", &out)
        return out
    }

    private func write(_ group: FeedGroup, to out: inout [UInt8]) {
        Self.raw("{\"type\":\"author\",\"author\":", &out)
        JSONValue.writeString(group.author.rawValue, to: &out)
        Self.raw(",\"section\":", &out)
        JSONValue.writeString(group.section.rawValue, to: &out)
        Self.raw(",\"first_unseen\":", &out)
        JSONValue.writeInteger(group.firstUnseen, to: &out)
        Self.raw(",\"posts\":[", &out)
        for (index, entry) in group.entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let parts = fragments(of: entry.item)
            out.append(contentsOf: parts.head)
            Self.raw(entry.seen ? "true" : "false", &out)
            out.append(contentsOf: parts.tail)
        }
        Self.raw("]}", &out)
    }

    private func fragments(of item: FeedPost) -> (head: [UInt8], tail: [UInt8]) {
        let id = item.post.id
        lock.lock()
        let kept = fragments[id]
        lock.unlock()
        if let kept { return kept }
        let post = item.post
        // `{"id",…,"expires_at":…,"seen":` and what follows the flag, from the one definition.
        let whole = post.feedJSON(seen: false).utf8
        let marker = Array(",\"seen\":false".utf8)
        let at = Self.find(marker, in: whole)!
        let parts = (Array(whole[..<(at + marker.count - 5)]), Array(whole[(at + marker.count)...]))
        lock.lock()
        if fragments.count >= Self.capacity { fragments.removeAll(keepingCapacity: true) }
        fragments[id] = parts
        lock.unlock()
        return parts
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }

    private static func raw(_ text: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension Engine {
    /// The feed page as JSON bytes, the same text as `page.json(explain:policy:)`; without
    /// `explain`, from the kept JSON of each post (see ``FeedPageWriter``).
    public func feedPageJSON(_ page: FeedPage, explain: Bool) -> [UInt8] {
        explain ? page.json(explain: true, policy: configuration.ads.policy).utf8 : feedPageWriter.write(page, policy: configuration.ads.policy)
    }
}
