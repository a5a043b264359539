import ArgumentParser
import Foundation
import StatusEngine

struct FeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Print a viewer's Status feed as JSON (or a table for people).",
        discussion: """
            The feed at --at (default now): the viewer's mutual contacts' live posts that the \
            viewer may see (no block either way, the post's audience admits the viewer, not \
            expired), grouped by author. "items" is the tap-through order: groups with an unseen \
            post ("recent") first, then groups all seen ("viewed"), each newest post first; \
            "first_unseen" is where tapping the group starts. Muted authors' groups are apart in \
            "muted". The viewer's own posts are not in it (see my-status).

            JSON: {"viewer", "at", "items": [{"type": "author", "author", "section", \
            "first_unseen", "posts": [{"id", "kind", "created_at", "expires_at", "seen", ..., \
            "renditions"}]}], "muted": [...]}, the shape the HTTP API serves. Sponsored ads are \
            among the items, between author groups, as {"type": "ad", "slot", "campaign", \
            "advertiser", "creative", "headline", "cta", "token"}: they are served for real \
            (charged to their campaign; events go to `ads event --token`). Viewers who are ad-free \
            get none, and if the ad path fails the feed is printed without ads.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The viewer's user id.", valueName: "ID"))
    var viewer: String

    @Option(help: "Output format: json (the default and the contract) or table.")
    var format: OutputFormat = .json

    @Flag(help: "Add to each ad its slot's candidates, scores, runner-up, price and pacing state.")
    var explain = false

    @OptionGroup var data: DataOptions

    func run() async throws {
        let viewer = try parseUser(self.viewer, option: "--viewer")
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            let page = try await engine.feedWithAds(for: viewer, at: now)
            // Record the ads served and give back the budget leased for them before showing them.
            try await engine.settleAds()
            switch format {
            case .json: print(page.json(explain: explain, policy: engine.configuration.ads.policy).serialized)
            case .table: print(Self.table(page), terminator: "")
            }
        }
    }

    /// One line per group: position, section, author, posts (unseen), where tapping starts, the
    /// newest post's time and kinds.
    static func table(_ page: FeedPage) -> String {
        let feed = page.feed
        var rows = [["#", "SECTION", "AUTHOR", "POSTS", "UNSEEN", "FIRST_UNSEEN", "NEWEST", "KINDS"]]
        var lines: [[String]] = (feed.groups + feed.muted).map { group in
            [group.section.rawValue, group.author.rawValue, String(group.entries.count),
             String(group.entries.filter { !$0.seen }.count), String(group.firstUnseen),
             group.newest?.post.createdAt.iso8601 ?? "", group.entries.map(\.post.kind.rawValue).joined(separator: ",")]
        }
        for ad in page.ads.sorted(by: { $0.placement.position > $1.placement.position }) where ad.placement.position <= lines.count {
            lines.insert(["ad", ad.placement.advertiser.id.rawValue, "", "", "", "", "\(ad.creative.kind.rawValue) \(ad.placement.campaign.id)"],
                         at: ad.placement.position)
        }
        for (position, line) in lines.enumerated() { rows.append([String(position + 1)] + line) }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = "feed of \(feed.viewer) at \(feed.at.iso8601): \(feed.groups.count) groups, \(feed.muted.count) muted, \(feed.postCount) posts, \(page.ads.count) ads\n"
        for row in rows {
            text += zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return text
    }
}

struct MyStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "my-status",
        abstract: "Print an author's own live posts with their view counts as JSON.",
        discussion: """
            The author's live, unexpired posts at --at, in posting order, as in a feed plus \
            "views": how many have seen each (viewers whose read receipts are off are not \
            counted; null when the author's own read receipts are off). \
            {"author", "at", "posts": [...]}.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The author's user id.", valueName: "ID"))
    var author: String

    @OptionGroup var data: DataOptions

    func run() async throws {
        let author = try parseUser(self.author, option: "--author")
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            print(try await engine.myStatus(author: author, at: now).json(author: author, at: now).serialized)
        }
    }
}
