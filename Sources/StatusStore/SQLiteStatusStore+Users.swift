import GRDB
import StatusCore

extension SQLiteStatusStore {
    public func upsertUsers(_ updates: [UserUpdate]) async throws {
        try await write("import users") { db in
            for update in updates {
                let existing = try Self.fetchUser(db, update.id)
                let user = update.applied(to: existing)
                try db.cachedStatement(sql: """
                    INSERT INTO users (id, country, language, birth_year, ads, read_receipts, privacy_mode)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET country = excluded.country, language = excluded.language,
                        birth_year = excluded.birth_year, ads = excluded.ads, read_receipts = excluded.read_receipts,
                        privacy_mode = excluded.privacy_mode
                    """).execute(arguments: [user.id.rawValue, user.country, user.language, user.birthYear, user.ads,
                                             user.readReceipts, user.privacy.mode.rawValue])
                if update.contacts != nil {
                    try Self.replaceList(db, table: "contacts", owner: "owner_id", member: "contact_id", user.id, user.contacts)
                }
                if update.blocked != nil {
                    try Self.replaceList(db, table: "blocks", owner: "blocker_id", member: "blocked_id", user.id, user.blocked)
                }
                if existing == nil || Set(existing!.contacts) != Set(user.contacts) || Set(existing!.blocked) != Set(user.blocked) {
                    try Self.logFeed(db, .user(update.id))
                }
                if update.privacy != nil {
                    try Self.replaceList(db, table: "privacy_members", owner: "user_id", member: "member_id", user.id, user.privacy.list)
                }
            }
        }
    }

    public func user(_ id: UserID) async throws -> User? {
        try await read("read a user") { db in try Self.fetchUser(db, id) }
    }

    static func fetchUser(_ db: Database, _ id: UserID) throws -> User? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT country, language, birth_year, ads, read_receipts, privacy_mode FROM users WHERE id = ?
            """), arguments: [id.rawValue]) else { return nil }
        func list(_ sql: String) throws -> [UserID] {
            try String.fetchAll(db.cachedStatement(sql: sql), arguments: [id.rawValue]).compactMap(UserID.init(rawValue:))
        }
        let mode = Audience.Mode(rawValue: row["privacy_mode"]) ?? .contacts
        return User(
            id: id, country: row["country"], language: row["language"], birthYear: row["birth_year"],
            ads: row["ads"], readReceipts: row["read_receipts"],
            contacts: try list("SELECT contact_id FROM contacts WHERE owner_id = ? ORDER BY contact_id"),
            blocked: try list("SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY blocked_id"),
            privacy: Audience(mode: mode, list: try list("SELECT member_id FROM privacy_members WHERE user_id = ? ORDER BY member_id")))
    }

    static func userExists(_ db: Database, _ id: UserID) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)"), arguments: [id.rawValue]) ?? false
    }

    private static func replaceList(_ db: Database, table: String, owner: String, member: String,
                                    _ id: UserID, _ members: [UserID]) throws {
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(owner) = ?").execute(arguments: [id.rawValue])
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO \(table) (\(owner), \(member)) VALUES (?, ?)")
        for other in members where other != id {
            try insert.execute(arguments: [id.rawValue, other.rawValue])
        }
    }

    // MARK: Mutes

    public func setMuted(viewer: UserID, author: UserID, muted: Bool) async throws {
        try await setMuted([(viewer, author)], muted: muted)
    }

    public func setMuted(_ pairs: [(viewer: UserID, author: UserID)], muted: Bool) async throws {
        try await write("change mutes") { db in
            for (viewer, author) in pairs {
                for id in [viewer, author] where try !Self.userExists(db, id) {
                    throw StoreError(.unknownUser, "no user \(id)")
                }
                try db.cachedStatement(sql: muted
                    ? "INSERT OR IGNORE INTO mutes (viewer_id, author_id) VALUES (?, ?)"
                    : "DELETE FROM mutes WHERE viewer_id = ? AND author_id = ?")
                    .execute(arguments: [viewer.rawValue, author.rawValue])
                if db.changesCount > 0 { try Self.logFeed(db, .mute(viewer: viewer, author: author)) }
            }
        }
    }

    public func isMuted(viewer: UserID, author: UserID) async throws -> Bool {
        try await read("read a mute") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM mutes WHERE viewer_id = ? AND author_id = ?)",
                              arguments: [viewer.rawValue, author.rawValue]) ?? false
        }
    }
}
