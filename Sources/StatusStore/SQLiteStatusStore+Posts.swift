import GRDB
import StatusCore

extension SQLiteStatusStore {
    public func publish(_ post: NewPost) async throws -> Post {
        guard try await read("read a user", { db in try Self.userExists(db, post.author) }) else {
            throw StoreError(.unknownUser, "no user \(post.author): import the user before publishing")
        }
        // Files first: temporary file, fsync, rename (on the blob queue). Only then the row.
        let files = try await stage([post.files])[0]
        do {
            return try await insert(post, files: files)
        } catch {
            // Refused or failed: take back the files this publish wrote and no row uses.
            await discard(files.map(\.blob.id), after: error)
            throw error
        }
    }

    /// A file in place, with what the post says about it.
    struct StagedFile: Sendable {
        var upload: BlobUpload
        var blob: StagedBlob
    }

    private func insert(_ post: NewPost, files: [StagedFile]) async throws -> Post {
        let blobs = self.blobs
        return try await write("publish a post") { db in
            try Self.insertRow(db, blobs: blobs, post, files: files)
            guard let stored = try Self.fetchPost(db, id: post.id) else {
                throw StoreError(.io, "the post \(post.id) vanished while it was being published")
            }
            return stored
        }
    }

    public func publish(batch posts: [NewPost]) async throws {
        guard !posts.isEmpty else { return }
        let blobs = self.blobs
        let staged = try await stage(posts.map(\.files))
        do {
            try await write("publish posts") { db in
                for (post, files) in zip(posts, staged) { try Self.insertRow(db, blobs: blobs, post, files: files) }
            }
        } catch {
            await discard(staged.flatMap { $0.map(\.blob.id) }, after: error)
            throw error
        }
    }

    /// Writes every group's files in place (temporary file, fsync, rename) on the blob queue,
    /// before any row is committed. If one fails, those written are taken back.
    func stage(_ groups: [[BlobUpload]]) async throws -> [[StagedFile]] {
        let blobs = self.blobs
        do {
            return try await blobs.run {
                var all: [[StagedFile]] = [], written: [BlobID] = []
                do {
                    for uploads in groups {
                        var files: [StagedFile] = []
                        for upload in uploads {
                            let blob = try blobs.store(upload.content)
                            if case .stored = upload.content {} else { written.append(blob.id) }
                            files.append(StagedFile(upload: upload, blob: blob))
                        }
                        all.append(files)
                    }
                } catch {
                    throw StagingFailure(written: written, cause: error)
                }
                return all
            }
        } catch let failure as StagingFailure {
            await discard(failure.written, after: failure.cause)
            throw failure.cause
        }
    }

    /// Inserts one post's rows (post, audience snapshot, file references) and logs it for the feed.
    private static func insertRow(_ db: Database, blobs: BlobDirectory, _ post: NewPost, files: [StagedFile]) throws {
        guard let author = try Self.fetchUser(db, post.author) else {
            throw StoreError(.unknownUser, "no user \(post.author)")
        }
        let audience = author.privacy
        try db.cachedStatement(sql: """
            INSERT INTO posts (id, author_id, kind, created_at, expires_at, text, background, font, caption,
                               format, width, height, duration_ms, audience_mode)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                post.id.rawValue, post.author.rawValue, post.kind.rawValue, post.createdAt.seconds,
                (post.createdAt + statusLifetimeSeconds).seconds, post.text?.text, post.text?.background,
                post.text?.font, post.caption, post.media?.format, post.media?.width, post.media?.height,
                post.media?.durationMilliseconds, audience.mode.rawValue,
            ])
        let seq = db.lastInsertedRowID
        let member = try db.cachedStatement(sql: "INSERT INTO post_audience (post_seq, member_id) VALUES (?, ?)")
        for id in audience.list { try member.execute(arguments: [seq, id.rawValue]) }
        for file in files {
            try Self.attach(db, blobs: blobs, file.blob, upload: file.upload, post: seq, at: post.createdAt)
        }
        try logFeed(db, .post(seq))
    }

    struct StagingFailure: Error {
        var written: [BlobID]
        var cause: any Error
    }

    /// Takes back the files a refused or failed write staged, unless the write was refused
    /// because another process holds the lock: taking them back needs the same lock, and
    /// waiting for it again would double the caller's wait only to fail the same way. Files left
    /// so are unreferenced, as after a crash between a file's rename and its row's commit, and
    /// `reconcile --fix` removes them.
    func discard(_ ids: [BlobID], after error: any Error) async {
        if let error = error as? StoreError, error.code == .busy { return }
        try? await removeUnreferenced(ids)
    }

    /// Unlinks those of `ids` that no row uses, under the write lock (so never a file that a
    /// concurrent publish is committing a row for).
    func removeUnreferenced(_ ids: [BlobID]) async throws {
        let blobs = self.blobs
        try await write("remove unused files") { db in
            let unknown = try db.cachedStatement(sql: "SELECT NOT EXISTS (SELECT 1 FROM blobs WHERE id = ?)")
            for id in Set(ids) where try Bool.fetchOne(unknown, arguments: [id.rawValue]) ?? false {
                try blobs.remove(id)
            }
        }
    }

    /// Adds one reference to a blob for a post. Runs inside the write transaction, so it is
    /// serialized with every unlink (purge, reconcile): if the file is missing by now (a purge
    /// unlinked the same bytes after we staged them), it is written again before the row commits.
    static func attach(_ db: Database, blobs: BlobDirectory, _ blob: StagedBlob, upload: BlobUpload,
                       post seq: Int64, at now: Timestamp) throws {
        try claim(db, blobs: blobs, blob, upload: upload, at: now)
        try db.cachedStatement(sql: """
            INSERT INTO post_blobs (post_seq, role, blob_id, width, height) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [seq, upload.role.rawValue, blob.id.rawValue, upload.width, upload.height])
    }

    /// Counts one more reference to a staged file (a post's or a creative's), writing the file
    /// again if a purge unlinked the same bytes after they were staged.
    static func claim(_ db: Database, blobs: BlobDirectory, _ blob: StagedBlob, upload: BlobUpload, at now: Timestamp) throws {
        try db.cachedStatement(sql: "DELETE FROM doomed_blobs WHERE id = ?").execute(arguments: [blob.id.rawValue])
        if !blobs.exists(blob.id) {
            let again = try blobs.store(upload.content)
            guard again.id == blob.id else {
                throw StoreError(.io, "the file for \(upload.role.rawValue) changed while it was being published")
            }
        }
        try db.cachedStatement(sql: """
            INSERT INTO blobs (id, content_type, bytes, refs, created_at) VALUES (?, ?, ?, 1, ?)
            ON CONFLICT (id) DO UPDATE SET refs = refs + 1
            """).execute(arguments: [blob.id.rawValue, upload.contentType, blob.bytes, now.seconds])
    }

    /// Drops the posts' references to their files; a file left with none is moved to
    /// `doomed_blobs`, to be discarded after this transaction commits. Set-based over the whole
    /// batch (a temporary table of the posts), so its cost is a few statements, not a few per file.
    static func detachFiles(_ db: Database, posts seqs: [Int64]) throws {
        guard !seqs.isEmpty else { return }
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS detaching_posts (seq INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS detaching_blobs (id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
            DELETE FROM temp.detaching_posts;
            DELETE FROM temp.detaching_blobs;
            """)
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO temp.detaching_posts (seq) VALUES (?)")
        for seq in seqs { try insert.execute(arguments: [seq]) }
        try db.execute(sql: """
            INSERT INTO temp.detaching_blobs (id, n)
                SELECT blob_id, count(*) FROM post_blobs WHERE post_seq IN (SELECT seq FROM temp.detaching_posts) GROUP BY blob_id;
            DELETE FROM post_blobs WHERE post_seq IN (SELECT seq FROM temp.detaching_posts);
            UPDATE blobs SET refs = refs - (SELECT n FROM temp.detaching_blobs d WHERE d.id = blobs.id)
                WHERE id IN (SELECT id FROM temp.detaching_blobs);
            INSERT OR REPLACE INTO doomed_blobs (id, bytes)
                SELECT id, bytes FROM blobs WHERE id IN (SELECT id FROM temp.detaching_blobs) AND refs <= 0;
            DELETE FROM blobs WHERE id IN (SELECT id FROM temp.detaching_blobs) AND refs <= 0;
            """)
    }

    /// Doomed files moved to the trash per write transaction: each is a rename (tens of
    /// microseconds), so the write lock is held for a few milliseconds at a time.
    static let trashBatch = 256

    /// Unlinks trash files on the blob queue, one batch in flight while the caller goes on (a
    /// purge deletes its next batch of rows meanwhile). Used by one task at a time.
    final class TrashEmptier: @unchecked Sendable {
        // @unchecked: `inFlight` is only touched by the one task that owns this emptier.
        private let blobs: BlobDirectory
        private var inFlight: Task<Void, any Error>?

        init(_ blobs: BlobDirectory) { self.blobs = blobs }

        /// Waits for the batch before, then starts unlinking `names`.
        func submit(_ names: [String]) async throws {
            try await inFlight?.value
            let blobs = self.blobs
            inFlight = names.isEmpty ? nil : Task { _ = try await blobs.run { try blobs.emptyTrash(names: names) } }
        }

        /// Waits for the last batch.
        func finish() async throws {
            try await inFlight?.value
            inFlight = nil
        }

        deinit { inFlight?.cancel() }
    }

    /// Discards the files of `doomed_blobs`. In short write transactions, each file is renamed
    /// into the trash and its row deleted: under the write lock, so a publish of the same bytes
    /// (which takes that lock too) either resurrects the row first or finds the file gone and
    /// writes it again. The trash is then unlinked outside the lock, several files at a time.
    /// A crash leaves rows to redo (a file already moved is fine) or files in the trash, which the
    /// next purge or `reconcile --fix` empties.
    func discardDoomedFiles(emptying trash: TrashEmptier? = nil) async throws -> (files: Int, bytes: Int64) {
        var files = 0, bytes: Int64 = 0
        let blobs = self.blobs
        let emptier = trash ?? TrashEmptier(blobs)
        while true {
            let done = try await write("delete unused files", durable: false) { db -> (names: [String], bytes: Int64) in
                let rows = try Row.fetchAll(db, sql: "SELECT id, bytes FROM doomed_blobs LIMIT ?", arguments: [Self.trashBatch])
                var names: [String] = [], size: Int64 = 0
                let delete = try db.cachedStatement(sql: "DELETE FROM doomed_blobs WHERE id = ?")
                for row in rows {
                    let raw: String = row[0]
                    if let id = BlobID(rawValue: raw), try blobs.moveToTrash(id) { names.append(raw) }
                    try delete.execute(arguments: [raw])
                    size += row[1] as Int64
                }
                return (names, rows.isEmpty ? -1 : size)
            }
            if done.bytes < 0 { break }
            try await emptier.submit(done.names)
            files += done.names.count
            bytes += done.bytes
        }
        if trash == nil { try await emptier.finish() }
        return (files, bytes)
    }

    public func post(_ id: PostID) async throws -> Post? {
        try await read("read a post") { db in try Self.fetchPost(db, id: id) }
    }

    public func servableBlob(_ id: BlobID, at now: Timestamp) async throws -> ServableBlob? {
        let path = blobs.path(for: id)
        return try await read("find a file") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT b.content_type, b.bytes FROM blobs b
                WHERE b.id = ?1 AND (
                    EXISTS (SELECT 1 FROM post_blobs pb JOIN posts p ON p.seq = pb.post_seq
                            WHERE pb.blob_id = b.id AND p.state = 'live' AND p.expires_at > ?2
                              AND (pb.role <> 'original' OR p.kind = 'video'))
                    OR EXISTS (SELECT 1 FROM creative_blobs cb JOIN creatives c ON c.id = cb.creative_id
                               WHERE cb.blob_id = b.id AND (cb.role <> 'original' OR c.kind = 'video')))
                """, arguments: [id.rawValue, now.seconds])
            return row.map { ServableBlob(id: id, contentType: $0[0], bytes: $0[1], path: path) }
        }
    }

    static func fetchPost(_ db: Database, id: PostID) throws -> Post? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM posts WHERE id = ?"), arguments: [id.rawValue]) else {
            return nil
        }
        return try post(from: row, db)
    }

    static func post(from row: Row, _ db: Database) throws -> Post {
        let seq: Int64 = row["seq"]
        let members = try String.fetchAll(db.cachedStatement(sql: "SELECT member_id FROM post_audience WHERE post_seq = ?"),
                                          arguments: [seq]).compactMap(UserID.init(rawValue:))
        var files: [BlobRef] = []
        for file in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT pb.role, pb.blob_id, pb.width, pb.height, b.content_type, b.bytes
            FROM post_blobs pb JOIN blobs b ON b.id = pb.blob_id WHERE pb.post_seq = ?
            """), arguments: [seq]) {
            guard let role = BlobRole(rawValue: file["role"]), let blob = BlobID(rawValue: file["blob_id"]) else { continue }
            files.append(BlobRef(role: role, id: blob, contentType: file["content_type"], bytes: file["bytes"],
                                 width: file["width"], height: file["height"]))
        }
        return try post(from: row, members: members, files: files)
    }

    /// A post from its row, its audience list and its files.
    static func post(from row: Row, members: [UserID], files: [BlobRef]) throws -> Post {
        let seq: Int64 = row["seq"]
        guard let id = PostID(rawValue: row["id"]), let author = UserID(rawValue: row["author_id"]),
              let kind = MediaKind(rawValue: row["kind"]), let state = PostState(rawValue: row["state"]),
              let mode = Audience.Mode(rawValue: row["audience_mode"]) else {
            throw StoreError(.corrupt, "post row \(seq) holds values this engine does not know")
        }
        let text: TextContent? = (row["text"] as String?).map {
            TextContent(text: $0, background: row["background"] ?? "", font: row["font"] ?? 0)
        }
        let media: MediaSummary? = (row["format"] as String?).map {
            MediaSummary(format: $0, width: row["width"] ?? 0, height: row["height"] ?? 0, durationMilliseconds: row["duration_ms"])
        }
        let takedown: Takedown? = (row["takedown_reason"] as String?).map {
            Takedown(reason: $0, moderator: row["takedown_moderator"] ?? "", at: Timestamp(seconds: row["takedown_at"] ?? 0))
        }
        return Post(id: id, author: author, kind: kind, createdAt: Timestamp(seconds: row["created_at"]), text: text,
                    caption: row["caption"], media: media, blobs: files, audience: Audience(mode: mode, list: members),
                    state: state, held: row["held"], takedown: takedown)
    }

    static func postSeq(_ db: Database, _ id: PostID) throws -> Int64 {
        guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM posts WHERE id = ?"), arguments: [id.rawValue]) else {
            throw StoreError(.unknownPost, "no post \(id)")
        }
        return seq
    }

    // MARK: Views

    public func recordView(post id: PostID, viewer: UserID, at now: Timestamp) async throws -> ViewOutcome {
        try await write("record a view") { db in try Self.insertView(db, post: id, viewer: viewer, at: now) }
    }

    public func recordViews(_ views: [(post: PostID, viewer: UserID, at: Timestamp)]) async throws -> [ViewOutcome] {
        try await write("record views") { db in
            try views.map { view in try Self.insertView(db, post: view.post, viewer: view.viewer, at: view.at) }
        }
    }

    private static func insertView(_ db: Database, post id: PostID, viewer: UserID, at now: Timestamp) throws -> ViewOutcome {
        guard try userExists(db, viewer) else { throw StoreError(.unknownUser, "no user \(viewer)") }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM posts WHERE id = ?"), arguments: [id.rawValue]) else {
            throw StoreError(.unknownPost, "no post \(id)")
        }
        let seq: Int64 = row["seq"]
        let post = try post(from: row, db)
        let facts = try visibilityFacts(db, author: post.author, viewer: viewer)
        guard Visibility.permits(viewer: viewer, post: post, facts: facts, at: now) else {
            throw StoreError(.notVisible, "post \(id) is not visible to \(viewer) at \(now)")
        }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO views (post_seq, viewer_id, viewed_at) VALUES (?, ?, ?)")
            .execute(arguments: [seq, viewer.rawValue, now.seconds])
        guard db.changesCount > 0 else { return .alreadySeen }
        try logFeed(db, .view(seq: seq, viewer: viewer))
        return .recorded
    }

    static func visibilityFacts(_ db: Database, author: UserID, viewer: UserID) throws -> Visibility.Facts {
        let hasContact = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM contacts WHERE owner_id = ? AND contact_id = ?)")
        let blocked = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2) OR (blocker_id = ?2 AND blocked_id = ?1))")
        return Visibility.Facts(
            authorHasViewer: try Bool.fetchOne(hasContact, arguments: [author.rawValue, viewer.rawValue]) ?? false,
            viewerHasAuthor: try Bool.fetchOne(hasContact, arguments: [viewer.rawValue, author.rawValue]) ?? false,
            blockedEitherWay: try Bool.fetchOne(blocked, arguments: [author.rawValue, viewer.rawValue]) ?? false)
    }

    public func viewers(of id: PostID) async throws -> [PostView] {
        try await read("list viewers") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT p.seq, u.read_receipts FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?
                """, arguments: [id.rawValue]) else { throw StoreError(.unknownPost, "no post \(id)") }
            guard row[1] as Bool else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT v.viewer_id, v.viewed_at FROM views v JOIN users u ON u.id = v.viewer_id
                WHERE v.post_seq = ? AND u.read_receipts = 1 ORDER BY v.viewed_at, v.viewer_id
                """, arguments: [row[0] as Int64]).compactMap { view in
                    UserID(rawValue: view[0]).map { PostView(viewer: $0, at: Timestamp(seconds: view[1])) }
                }
        }
    }

    // MARK: Author delete

    public func deleteByAuthor(post id: PostID, author: UserID, at now: Timestamp) async throws {
        try await write("delete a post") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT seq, author_id, held, state FROM posts WHERE id = ?", arguments: [id.rawValue]),
                  (row["state"] as String) != PostState.deleted.rawValue else {
                throw StoreError(.unknownPost, "no post \(id)")
            }
            guard (row["author_id"] as String) == author.rawValue else {
                throw StoreError(.notAuthor, "\(author) is not the author of post \(id)")
            }
            let seq: Int64 = row["seq"]
            try Self.logFeed(db, .post(seq))
            if row["held"] as Bool {
                // A legal hold keeps the media (never served) until a moderator releases it.
                try db.execute(sql: "UPDATE posts SET state = 'deleted' WHERE seq = ?", arguments: [seq])
            } else {
                try Self.detachFiles(db, posts: [seq])
                try db.execute(sql: "DELETE FROM posts WHERE seq = ?", arguments: [seq])
            }
        }
        // The deletion is committed; if unlinking fails now, the next purge finishes it.
        _ = try? await discardDoomedFiles()
    }
}
