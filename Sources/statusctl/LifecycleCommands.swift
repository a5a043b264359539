import ArgumentParser
import Foundation
import StatusEngine

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Import and show users.", subcommands: [Import.self, Show.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update users from a JSON Lines file, one user a line.",
            discussion: """
                Each line: {"id": "u1", "country": "EG", "language": "ar", "birth_year": 1994, \
                "contacts": ["u2", "u3"], "blocked": [], "privacy": {"mode": "contacts_except", \
                "list": ["u3"]}, "ads": true, "read_receipts": true}. Only "id" is required; a field \
                left out keeps its stored value (or the default for a new user: ads and read receipts \
                on, privacy "contacts"); null clears country, language and birth_year. Privacy modes: \
                contacts, contacts_except, only_share_with. Importing the same file twice changes nothing.

                Every bad line is reported with its number and reason; the good lines are applied in \
                one transaction. Prints {"applied", "rejected", "errors": [{"line", "reason"}]}.

                \(CommandFailure.help) Any rejected line gives 1.
                """)

        @Argument(help: ArgumentHelp("The JSON Lines file (- for standard input).", valueName: "FILE"))
        var file: String

        @OptionGroup var data: DataOptions

        func run() async throws {
            let engine = try data.openEngine()
            let bytes: [UInt8]
            if file == "-" {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure.report(StoreError(.invalid, "cannot read \(file)"))
                }
                bytes = Array(contents)
            }
            try await CommandFailure.run {
                let report = try await engine.importUsers(jsonLines: bytes, at: data.now)
                print(report.json.serialized)
                for error in report.errors {
                    FileHandle.standardError.write(Data("statusctl: \(file):\(error.line): \(error.reason)\n".utf8))
                }
                if !report.errors.isEmpty { throw ExitCode(1) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one user as JSON (the import format's fields).",
            discussion: CommandFailure.help)

        @Argument(help: ArgumentHelp("The user's id.", valueName: "ID"))
        var id: String

        @OptionGroup var data: DataOptions

        func run() async throws {
            let user = try parseUser(id, option: "ID")
            let engine = try data.openEngine()
            try await CommandFailure.run {
                guard let found = try await engine.store.user(user) else { throw StoreError(.unknownUser, "no user \(user)") }
                print(found.json.serialized)
            }
        }
    }
}

struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Publish a text, photo or video Status post and print it as JSON.",
        discussion: """
            A text post (--text) is validated (1–700 grapheme clusters, #RRGGBB background, font id) \
            and rendered onto its background as display (1080×1920) and thumb (320×320) pictures. \
            A photo or video (--media) is validated and rendered by the media module; the original \
            is kept as uploaded. Files are stored content-addressed (SHA-256, shared when identical): \
            each is written to a temporary file, synced and renamed before the post's row is \
            committed, so a refused or interrupted post leaves no row behind. The author's privacy \
            setting is snapshotted onto the post; it expires 24 hours after --at.

            Prints the post: {"id", "author", "kind", "created_at", "expires_at", "state", "held", \
            "audience", then "text", "background", "font" or "caption", "format", "width", "height" \
            ("duration_s" for videos), then "renditions": {"original"?, "display", "thumb"}}.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The author's user id.", valueName: "ID"))
    var author: String

    @Option(help: ArgumentHelp("The words of a text post.", valueName: "TEXT"))
    var text: String?

    @Option(help: ArgumentHelp("A text post's background colour, #RRGGBB (default #128C7E).", valueName: "COLOUR"))
    var background: String?

    @Option(help: ArgumentHelp("A text post's font id, an index into the configured fonts (default 0).", valueName: "N"))
    var font: Int?

    @Option(help: ArgumentHelp("A photo (JPEG, PNG) or video (MP4/MOV, WebM, Matroska) file.", valueName: "FILE"))
    var media: String?

    @Option(help: ArgumentHelp("A photo's or video's caption (up to 700 grapheme clusters).", valueName: "TEXT"))
    var caption: String?

    @OptionGroup var data: DataOptions

    func validate() throws {
        switch (text, media) {
        case (nil, nil): throw ValidationError("give --text for a text post or --media FILE for a photo or video")
        case (.some, .some): throw ValidationError("--text and --media cannot be used together")
        case (.some, nil) where caption != nil: throw ValidationError("--caption goes with --media; a text post is its own text")
        case (nil, .some) where background != nil || font != nil: throw ValidationError("--background and --font go with --text")
        default: break
        }
    }

    func run() async throws {
        let author = try parseUser(self.author, option: "--author")
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            let post: Post
            if let text {
                post = try await engine.publishText(author: author, text: text, background: background, font: font, at: now)
            } else {
                post = try await engine.publishMedia(author: author, file: media!, caption: caption, at: now)
            }
            print(post.json.serialized)
        }
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one post as JSON, whatever its state, until it is purged.",
        discussion: CommandFailure.help)

    @Option(help: ArgumentHelp("The post's id.", valueName: "ID"))
    var post: String

    @OptionGroup var data: DataOptions

    func run() async throws {
        let id = try parsePost(post)
        let engine = try data.openEngine()
        try await CommandFailure.run {
            guard let found = try await engine.store.post(id) else { throw StoreError(.unknownPost, "no post \(id)") }
            print(found.json.serialized)
        }
    }
}

struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Record that a viewer saw a post.",
        discussion: """
            Only a post visible to the viewer at --at can be viewed (mutual contacts, no block \
            either way, admitted by the post's audience, live, not expired). A view is counted once. \
            Prints {"post", "viewer", "outcome": "recorded"|"already_seen"}.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("Who saw it.", valueName: "ID"))
    var viewer: String

    @Option(help: ArgumentHelp("The post seen.", valueName: "ID"))
    var post: String

    @OptionGroup var data: DataOptions

    func run() async throws {
        let (viewer, post) = (try parseUser(viewer, option: "--viewer"), try parsePost(post))
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            let outcome = try await engine.store.recordView(post: post, viewer: viewer, at: now)
            print(JSONValue.object([("post", .string(post.rawValue)), ("viewer", .string(viewer.rawValue)),
                                    ("outcome", .string(outcome.rawValue))]).serialized)
        }
    }
}

struct ViewersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "viewers",
        abstract: "List who viewed a post, for its author.",
        discussion: """
            Prints {"post", "viewers": [{"viewer", "at"}]}, oldest view first. Empty when the \
            author's read receipts are off; viewers whose own read receipts are off are left out.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The post.", valueName: "ID"))
    var post: String

    @OptionGroup var data: DataOptions

    func run() async throws {
        let post = try parsePost(post)
        let engine = try data.openEngine()
        try await CommandFailure.run {
            let views = try await engine.store.viewers(of: post)
            print(JSONValue.object([("post", .string(post.rawValue)), ("viewers", .array(views.map {
                .object([("viewer", .string($0.viewer.rawValue)), ("at", .string($0.at.iso8601))])
            }))]).serialized)
        }
    }
}

struct MuteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mute",
        abstract: "Mute an author's Status posts for a viewer (they move to the feed's muted list).",
        discussion: "Prints {\"viewer\", \"author\", \"muted\": true}.\n\n\(CommandFailure.help)")

    @OptionGroup var pair: MutePair

    func run() async throws { try await pair.set(muted: true) }
}

struct UnmuteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmute", abstract: "Undo a mute.",
        discussion: "Prints {\"viewer\", \"author\", \"muted\": false}.\n\n\(CommandFailure.help)")

    @OptionGroup var pair: MutePair

    func run() async throws { try await pair.set(muted: false) }
}

struct MutePair: ParsableArguments {
    @Option(help: ArgumentHelp("Who mutes.", valueName: "ID"))
    var viewer: String

    @Option(help: ArgumentHelp("Whose posts are muted.", valueName: "ID"))
    var author: String

    @OptionGroup var data: DataOptions

    func set(muted: Bool) async throws {
        let (viewer, author) = (try parseUser(viewer, option: "--viewer"), try parseUser(author, option: "--author"))
        let engine = try data.openEngine()
        try await CommandFailure.run {
            try await engine.store.setMuted(viewer: viewer, author: author, muted: muted)
            print(JSONValue.object([("viewer", .string(viewer.rawValue)), ("author", .string(author.rawValue)),
                                    ("muted", .bool(muted))]).serialized)
        }
    }
}

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "The author deletes their post: gone from every feed at once, its files deleted.",
        discussion: """
            A post under a legal hold keeps its files (never served) until a moderator releases it. \
            Prints {"post", "deleted": true}.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The author (must be the post's author).", valueName: "ID"))
    var author: String

    @Option(help: ArgumentHelp("The post.", valueName: "ID"))
    var post: String

    @OptionGroup var data: DataOptions

    func run() async throws {
        let (author, post) = (try parseUser(author, option: "--author"), try parsePost(post))
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            try await engine.store.deleteByAuthor(post: post, author: author, at: now)
            print(JSONValue.object([("post", .string(post.rawValue)), ("deleted", .bool(true))]).serialized)
        }
    }
}
