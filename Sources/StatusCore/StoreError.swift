/// Why the store refused or failed an operation.
///
/// Every error carries a stable, machine-readable ``Code`` and a message for people; the command
/// line maps codes to exit statuses and the HTTP layer to statuses.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier, rendered as a snake_case string.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No user with this id.
        public static let unknownUser = Code(rawValue: "unknown_user")
        /// No post with this id (never published, deleted or purged).
        public static let unknownPost = Code(rawValue: "unknown_post")
        /// The viewer may not see this post (audience, contacts, blocks, expiry, takedown).
        public static let notVisible = Code(rawValue: "not_visible")
        /// No campaign with this id.
        public static let unknownCampaign = Code(rawValue: "unknown_campaign")
        /// No ad was served with this event token (or it is forged).
        public static let unknownToken = Code(rawValue: "unknown_token")
        /// The user is not the post's author.
        public static let notAuthor = Code(rawValue: "not_author")
        /// The operation does not fit the post's state (taking down twice, releasing what is not held).
        public static let conflict = Code(rawValue: "conflict")
        /// A field is malformed (bad id, bad country code, …).
        public static let invalid = Code(rawValue: "invalid")
        /// The database is busy or locked by another process beyond the configured wait.
        public static let busy = Code(rawValue: "busy")
        /// Reading or writing the data directory failed (permissions, disk full, …).
        public static let io = Code(rawValue: "io_error")
        /// The database file is damaged, or was written by a newer version of the engine.
        public static let corrupt = Code(rawValue: "corrupt_database")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// Lets `catch let e as StoreError where e ~= .unknownPost` read naturally.
    public static func ~= (code: Code, error: StoreError) -> Bool { error.code == code }
}
