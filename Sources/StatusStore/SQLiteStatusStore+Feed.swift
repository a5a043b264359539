import GRDB
import StatusCore

/// The feed's view of the store: the whole state, the changes since a version, and an author's
/// own posts. Every write that changes what a feed shows appends to `feed_log` in its own
/// transaction (``logFeed(_:_:)``), so a reader that has seen version `v` catches up by replaying
/// what follows `v`, whichever process wrote it.
extension SQLiteStatusStore {
    /// What a `feed_log` entry names.
    enum FeedLogEntry {
        case user(UserID)
        case post(Int64)
        case view(seq: Int64, viewer: UserID)
        case mute(viewer: UserID, author: UserID)
        case purged(cutoff: Timestamp)
    }

    /// Entries kept by the purge's trim; a reader further behind reloads the whole state.
    static let feedLogKept: Int64 = 200_000
    /// Beyond this many entries to replay, reloading the whole state is cheaper.
    static let feedReplayLimit = 20_000
    /// Up to this many entries are replayed in place on the probe connection; more go through
    /// the pool (a reader blocked for long would hold up its thread).
    static let feedQuickReplay = 500

    static func logFeed(_ db: Database, _ entry: FeedLogEntry) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO feed_log (kind, n, a, b) VALUES (?, ?, ?, ?)")
        switch entry {
        case .user(let id): try insert.execute(arguments: [1, nil, id.rawValue, nil])
        case .post(let seq): try insert.execute(arguments: [2, seq, nil, nil])
        case .view(let seq, let viewer): try insert.execute(arguments: [3, seq, viewer.rawValue, nil])
        case .mute(let viewer, let author): try insert.execute(arguments: [4, nil, viewer.rawValue, author.rawValue])
        case .purged(let cutoff): try insert.execute(arguments: [5, cutoff.seconds, nil, nil])
        }
    }

    /// Drops log entries no reader needs any more (one that is behind reloads).
    static func trimFeedLog(_ db: Database, keeping kept: Int64 = feedLogKept) throws {
        try db.execute(sql: "DELETE FROM feed_log WHERE seq <= (SELECT max(seq) FROM feed_log) - ?", arguments: [max(1, kept)])
    }

    public func feedWorld() async throws -> FeedWorld {
        try await read("load the feed state") { db in try Self.loadFeedWorld(db) }
    }

    public func feedChanges(after version: Int64) async throws -> FeedChanges {
        // The usual answers, nothing new or a few entries, are read in place on the probe
        // connection, without a trip through the pool's reader queue.
        if version > 0, let answer = try? servingReader.inDatabase({ db -> FeedChanges? in
            let latest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM feed_log"))
            if latest == version { return .changes(version: version, []) }
            var answer: FeedChanges?
            try db.inTransaction(.deferred) {
                answer = try Self.replay(db, after: version, limit: Self.feedQuickReplay)
                return .commit
            }
            return answer
        }) {
            return answer
        }
        return try await read("read the feed changes") { db in
            if version > 0, let answer = try Self.replay(db, after: version, limit: Self.feedReplayLimit) { return answer }
            return .reload(try Self.loadFeedWorld(db))
        }
    }

    /// The changes after `version` with their state as of this read, or nil when the log no
    /// longer reaches back to `version` or holds more than `limit` entries after it.
    static func replay(_ db: Database, after version: Int64, limit: Int) throws -> FeedChanges? {
        let oldest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(seq) FROM feed_log")) ?? 0
        guard version >= oldest - 1 else { return nil }
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, kind, n, a, b FROM feed_log WHERE seq > ? ORDER BY seq LIMIT ?"),
                                    arguments: [version, limit + 1])
        guard let last = rows.last else { return .changes(version: version, []) }
        guard rows.count <= limit else { return nil }
        // Each entry names what changed; its state is read now, once per thing named, at the
        // thing's last entry (so a purge logged before a post's last change comes first).
        // Views go last, those still on record only (a view goes with its post).
        var changes: [FeedChange] = [], seen: [FeedChange] = []
        var users = Set<String>(), posts = Set<Int64>(), mutes = Set<[String]>()
        for row in rows.reversed() {
            let kind: Int = row[1]
            switch kind {
            case 1:
                let raw: String = row[3]
                guard users.insert(raw).inserted, let id = UserID(rawValue: raw) else { continue }
                changes.append(.user(try feedUser(db, id)))
            case 2:
                let seq: Int64 = row[2]
                guard posts.insert(seq).inserted else { continue }
                changes.append(.post(seq: seq, try livePost(db, seq: seq)))
            case 3:
                let seq: Int64 = row[2], raw: String = row[3]
                guard let viewer = UserID(rawValue: raw),
                      try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM views WHERE post_seq = ? AND viewer_id = ?)"),
                                        arguments: [seq, raw]) ?? false else { continue }
                seen.append(.view(viewer: viewer, seq: seq))
            case 4:
                let pair: [String] = [row[3], row[4]]
                guard mutes.insert(pair).inserted, let viewer = UserID(rawValue: pair[0]),
                      let author = UserID(rawValue: pair[1]) else { continue }
                let muted = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM mutes WHERE viewer_id = ? AND author_id = ?)"),
                                              arguments: [pair[0], pair[1]]) ?? false
                changes.append(.mute(viewer: viewer, author: author, muted: muted))
            case 5:
                changes.append(.purged(cutoff: Timestamp(seconds: row[2])))
            default:
                continue
            }
        }
        changes.reverse()
        changes += seen
        return .changes(version: last[0], changes)
    }

    static func feedUser(_ db: Database, _ id: UserID) throws -> FeedUserRecord {
        func list(_ sql: String) throws -> [UserID] {
            try String.fetchAll(db.cachedStatement(sql: sql), arguments: [id.rawValue]).compactMap(UserID.init(rawValue:))
        }
        return FeedUserRecord(id: id, contacts: try list("SELECT contact_id FROM contacts WHERE owner_id = ?"),
                              blocked: try list("SELECT blocked_id FROM blocks WHERE blocker_id = ?"))
    }

    /// The post `seq` if it is live (it may be expired: expiry is the reader's call).
    static func livePost(_ db: Database, seq: Int64) throws -> FeedPost? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM posts WHERE seq = ? AND state = 'live'"),
                                         arguments: [seq]) else { return nil }
        return FeedPost(seq: seq, post: try post(from: row, db))
    }

    /// The whole state in one read transaction, set-based (a handful of scans, not a query per row).
    static func loadFeedWorld(_ db: Database) throws -> FeedWorld {
        let version = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM feed_log") ?? 0
        var ids: [String: UserID] = [:]
        for raw in try String.fetchAll(db, sql: "SELECT id FROM users") {
            if let id = UserID(rawValue: raw) { ids[raw] = id }
        }
        var contacts: [String: [UserID]] = [:], blocks: [String: [UserID]] = [:]
        for (table, owner, member) in [("contacts", "owner_id", "contact_id"), ("blocks", "blocker_id", "blocked_id")] {
            var lists: [String: [UserID]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT \(owner), \(member) FROM \(table)")
            while let row = try rows.next() {
                let raw: String = row[1]
                guard let other = ids[raw] ?? UserID(rawValue: raw) else { continue }
                lists[row[0], default: []].append(other)
            }
            if table == "contacts" { contacts = lists } else { blocks = lists }
        }
        let users = ids.map { raw, id in FeedUserRecord(id: id, contacts: contacts[raw] ?? [], blocked: blocks[raw] ?? []) }

        let posts = try posts(db, rows: try Row.fetchAll(db, sql: "SELECT * FROM posts WHERE state = 'live' ORDER BY seq"))
        var views: [(viewer: UserID, seq: Int64)] = []
        let viewRows = try Row.fetchCursor(db, sql: "SELECT viewer_id, post_seq FROM views")
        while let row = try viewRows.next() {
            let raw: String = row[0]
            if let viewer = ids[raw] ?? UserID(rawValue: raw) { views.append((viewer, row[1])) }
        }
        let mutes: [(viewer: UserID, author: UserID)] = try Row.fetchAll(db, sql: "SELECT viewer_id, author_id FROM mutes").compactMap { row in
            guard let viewer = UserID(rawValue: row[0]), let author = UserID(rawValue: row[1]) else { return nil }
            return (viewer, author)
        }
        return FeedWorld(version: version, users: users, posts: posts, views: views, mutes: mutes)
    }

    public func feedWorld(around viewer: UserID, at now: Timestamp) async throws -> FeedWorld {
        try await read("read the viewer's feed") { db in
            guard try Self.userExists(db, viewer) else { throw StoreError(.unknownUser, "no user \(viewer)") }
            let version = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM feed_log")) ?? 0
            var users = [try Self.feedUser(db, viewer)]
            // Each contact as the viewer's feed needs them: whether they have the viewer as a
            // contact and whether they blocked the viewer.
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT c.contact_id,
                       EXISTS (SELECT 1 FROM contacts r WHERE r.owner_id = c.contact_id AND r.contact_id = c.owner_id),
                       EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = c.contact_id AND b.blocked_id = c.owner_id)
                FROM contacts c WHERE c.owner_id = ?
                """), arguments: [viewer.rawValue]) {
                guard let id = UserID(rawValue: row[0]) else { continue }
                users.append(FeedUserRecord(id: id, contacts: row[1] ? [viewer] : [], blocked: row[2] ? [viewer] : []))
            }
            let posts = try Self.posts(db, rows: try Row.fetchAll(db.cachedStatement(sql: """
                SELECT p.* FROM contacts c JOIN posts p ON p.author_id = c.contact_id
                WHERE c.owner_id = ? AND p.state = 'live' AND p.created_at <= ? AND p.expires_at > ?
                """), arguments: [viewer.rawValue, now.seconds, now.seconds]))
            let views = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT v.post_seq FROM contacts c JOIN posts p ON p.author_id = c.contact_id
                JOIN views v ON v.post_seq = p.seq AND v.viewer_id = c.owner_id
                WHERE c.owner_id = ? AND p.state = 'live' AND p.created_at <= ? AND p.expires_at > ?
                """), arguments: [viewer.rawValue, now.seconds, now.seconds]).map { (viewer: viewer, seq: $0) }
            let mutes = try String.fetchAll(db.cachedStatement(sql: "SELECT author_id FROM mutes WHERE viewer_id = ?"),
                                            arguments: [viewer.rawValue]).compactMap { raw in
                UserID(rawValue: raw).map { (viewer: viewer, author: $0) }
            }
            return FeedWorld(version: version, users: users, posts: posts, views: views, mutes: mutes)
        }
    }

    /// Posts from their rows, with their audiences and files read in two queries for all of them.
    static func posts(_ db: Database, rows: [Row]) throws -> [FeedPost] {
        guard !rows.isEmpty else { return [] }
        let seqs = "[" + rows.map { String($0["seq"] as Int64) }.joined(separator: ",") + "]"
        var members: [Int64: [UserID]] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT post_seq, member_id FROM post_audience WHERE post_seq IN (SELECT value FROM json_each(?))
            """), arguments: [seqs]) {
            if let id = UserID(rawValue: row[1]) { members[row[0], default: []].append(id) }
        }
        var files: [Int64: [BlobRef]] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT pb.post_seq, pb.role, pb.blob_id, pb.width, pb.height, b.content_type, b.bytes
            FROM post_blobs pb JOIN blobs b ON b.id = pb.blob_id WHERE pb.post_seq IN (SELECT value FROM json_each(?))
            """), arguments: [seqs]) {
            guard let role = BlobRole(rawValue: row[1]), let blob = BlobID(rawValue: row[2]) else { continue }
            files[row[0], default: []].append(BlobRef(role: role, id: blob, contentType: row[5], bytes: row[6],
                                                      width: row[3], height: row[4]))
        }
        return try rows.map { row in
            let seq: Int64 = row["seq"]
            return FeedPost(seq: seq, post: try post(from: row, members: members[seq] ?? [], files: files[seq] ?? []))
        }
    }

    public func ownStatus(author: UserID, at now: Timestamp) async throws -> [OwnStatus] {
        try await read("read the author's status") { db in
            guard let receipts = try Bool.fetchOne(db, sql: "SELECT read_receipts FROM users WHERE id = ?", arguments: [author.rawValue]) else {
                throw StoreError(.unknownUser, "no user \(author)")
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.*, (SELECT count(*) FROM views v JOIN users u ON u.id = v.viewer_id
                             WHERE v.post_seq = p.seq AND u.read_receipts = 1) AS view_count
                FROM posts p WHERE p.author_id = ? AND p.state = 'live' AND p.created_at <= ? AND p.expires_at > ?
                ORDER BY p.seq
                """, arguments: [author.rawValue, now.seconds, now.seconds])
            return try rows.map { row in
                OwnStatus(post: try Self.post(from: row, db), views: receipts ? row["view_count"] as Int : nil)
            }
        }
    }
}
