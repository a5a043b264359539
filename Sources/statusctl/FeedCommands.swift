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
            "renditions"}]}], "muted": [...]}, the shape the HTTP API serves.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The viewer's user id.", valueName: "ID"))
    var viewer: String

    @Option(help: "Output format: json (the default and the contract) or table.")
    var format: OutputFormat = .json

    @OptionGroup var data: DataOptions

    func run() async throws {
        let viewer = try parseUser(self.viewer, option: "--viewer")
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            let feed = try await engine.feed(for: viewer, at: now)
            switch format {
            case .json: print(feed.json.serialized)
            case .table: print(Self.table(feed), terminator: "")
            }
        }
    }

    /// One line per group: position, section, author, posts (unseen), where tapping starts, the
    /// newest post's time and kinds.
    static func table(_ feed: Feed) -> String {
        var rows = [["#", "SECTION", "AUTHOR", "POSTS", "UNSEEN", "FIRST_UNSEEN", "NEWEST", "KINDS"]]
        for (position, group) in (feed.groups + feed.muted).enumerated() {
            let newest = group.newest?.post.createdAt.iso8601 ?? ""
            rows.append([String(position + 1), group.section.rawValue, group.author.rawValue, String(group.entries.count),
                         String(group.entries.filter { !$0.seen }.count), String(group.firstUnseen), newest,
                         group.entries.map(\.post.kind.rawValue).joined(separator: ",")])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = "feed of \(feed.viewer) at \(feed.at.iso8601): \(feed.groups.count) groups, \(feed.muted.count) muted, \(feed.postCount) posts\n"
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
