import Foundation
import GRDB
import StatusCore

extension SQLiteStatusStore {
    public func takedown(post id: PostID, reason: String, moderator: String, hold: Bool, at now: Timestamp) async throws -> Post {
        let post = try await write("take a post down") { db -> Post in
            let row = try Self.moderatedRow(db, id)
            guard (row["state"] as String) != PostState.takenDown.rawValue else {
                throw StoreError(.conflict, "post \(id) is already taken down")
            }
            let seq: Int64 = row["seq"]
            let held = (row["held"] as Bool) || hold
            try db.execute(sql: """
                UPDATE posts SET state = 'taken_down', held = ?, takedown_reason = ?, takedown_moderator = ?, takedown_at = ?
                WHERE seq = ?
                """, arguments: [held, reason, moderator, now.seconds, seq])
            if !held { try Self.detachFiles(db, posts: [seq]) }
            try Self.logFeed(db, .post(seq))
            try Self.appendAudit(db, at: now, action: .takedown, actor: moderator, post: id, reason: reason,
                                 detail: "{\"hold\":\(held),\"media_deleted\":\(!held)}")
            return try Self.fetchPost(db, id: id)!
        }
        // Committed; if unlinking fails now, the next purge finishes it.
        _ = try? await discardDoomedFiles()
        return post
    }

    public func hold(post id: PostID, reason: String?, moderator: String, at now: Timestamp) async throws -> Post {
        try await write("hold a post") { db -> Post in
            let row = try Self.moderatedRow(db, id)
            guard !(row["held"] as Bool) else { throw StoreError(.conflict, "post \(id) is already held") }
            let seq: Int64 = row["seq"]
            if (row["state"] as String) != PostState.live.rawValue,
               try Int.fetchOne(db, sql: "SELECT count(*) FROM post_blobs WHERE post_seq = ?", arguments: [seq]) == 0 {
                throw StoreError(.conflict, "post \(id) was removed and its media already deleted: there is nothing to hold")
            }
            try db.execute(sql: "UPDATE posts SET held = 1 WHERE seq = ?", arguments: [seq])
            try Self.logFeed(db, .post(seq))
            try Self.appendAudit(db, at: now, action: .hold, actor: moderator, post: id, reason: reason, detail: nil)
            return try Self.fetchPost(db, id: id)!
        }
    }

    public func release(post id: PostID, reason: String?, moderator: String, at now: Timestamp) async throws -> Post {
        let post = try await write("release a post") { db -> Post in
            let row = try Self.moderatedRow(db, id)
            guard row["held"] as Bool else { throw StoreError(.conflict, "post \(id) is not held") }
            let seq: Int64 = row["seq"]
            try db.execute(sql: "UPDATE posts SET held = 0 WHERE seq = ?", arguments: [seq])
            try Self.logFeed(db, .post(seq))
            // A removed post's media goes now; an expired one's with the next purge.
            let removed = (row["state"] as String) != PostState.live.rawValue
            if removed { try Self.detachFiles(db, posts: [seq]) }
            try Self.appendAudit(db, at: now, action: .release, actor: moderator, post: id, reason: reason,
                                 detail: "{\"media_deleted\":\(removed)}")
            return try Self.fetchPost(db, id: id)!
        }
        // Committed; if unlinking fails now, the next purge finishes it.
        _ = try? await discardDoomedFiles()
        return post
    }

    public func auditLog(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read("read the audit log") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [sequence, limit]).map { row in
                AuditEntry(sequence: row["seq"], at: Timestamp(seconds: row["at"]),
                           action: AuditEntry.Action(rawValue: row["action"]) ?? .takedown, actor: row["actor"],
                           post: (row["post_id"] as String?).flatMap(PostID.init(rawValue:)),
                           reason: row["reason"], detail: row["detail"])
            }
        }
    }

    private static func moderatedRow(_ db: Database, _ id: PostID) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, state, held FROM posts WHERE id = ?", arguments: [id.rawValue]) else {
            throw StoreError(.unknownPost, "no post \(id)")
        }
        return row
    }

    static func appendAudit(_ db: Database, at now: Timestamp, action: AuditEntry.Action, actor: String,
                            post: PostID?, reason: String?, detail: String?) throws {
        try db.execute(sql: "INSERT INTO audit_log (at, action, actor, post_id, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [now.seconds, action.rawValue, actor, post?.rawValue, reason, detail])
    }

    // MARK: Purge

    /// Posts whose rows and files purge removes at `now`: expired or removed, and not held.
    static let purgeableSQL = """
        SELECT seq FROM posts WHERE expires_at <= ?1 AND held = 0
        UNION SELECT seq FROM posts WHERE state <> 'live' AND held = 0
        """

    public func purge(at now: Timestamp, batchSize: Int, dryRun: Bool, progress: ProgressReport?) async throws -> PurgeSummary {
        let batch = max(1, batchSize)
        if dryRun {
            return try await read("preview the purge") { db in
                let posts = try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(Self.purgeableSQL))", arguments: [now.seconds]) ?? 0
                let dying = try Row.fetchOne(db, sql: """
                    WITH doomed_posts AS (\(Self.purgeableSQL)),
                         dying AS (SELECT blob_id, count(*) AS n FROM post_blobs
                                   WHERE post_seq IN (SELECT seq FROM doomed_posts) GROUP BY blob_id)
                    SELECT count(*), coalesce(sum(b.bytes), 0) FROM dying d JOIN blobs b ON b.id = d.blob_id WHERE b.refs = d.n
                    """, arguments: [now.seconds])!
                let pending = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(bytes), 0) FROM doomed_blobs")!
                return PurgeSummary(posts: posts, files: (dying[0] as Int) + (pending[0] as Int),
                                    bytes: (dying[1] as Int64) + (pending[1] as Int64), dryRun: true)
            }
        }
        // Finish what an interrupted run committed but did not unlink.
        var summary = PurgeSummary()
        let blobs = self.blobs
        do { _ = try await blobs.run { try blobs.emptyTrash() } } catch { throw Self.storeError(error, doing: "empty the trash") }
        let emptier = TrashEmptier(blobs)
        let resumed = try await discardDoomedFiles(emptying: emptier)
        summary.files += resumed.files
        summary.bytes += resumed.bytes

        let total = try await read("count expired posts") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(Self.purgeableSQL))", arguments: [now.seconds]) ?? 0
        }
        progress?(0, total)
        while true {
            // One short transaction: delete a batch of rows and commit the files' doom...
            let deleted = try await write("purge expired posts") { db -> Int in
                // Two limited index scans (expired, then removed), never the whole set.
                var seqs = try Int64.fetchAll(db.cachedStatement(sql: """
                    SELECT seq FROM posts WHERE expires_at <= ? AND held = 0 LIMIT ?
                    """), arguments: [now.seconds, batch])
                if seqs.count < batch {
                    seqs += try Int64.fetchAll(db.cachedStatement(sql: """
                        SELECT seq FROM posts WHERE state <> 'live' AND held = 0 AND expires_at > ? LIMIT ?
                        """), arguments: [now.seconds, batch - seqs.count])
                }
                guard !seqs.isEmpty else { return 0 }
                try Self.logFeed(db, .purged(cutoff: now))
                try Self.detachFiles(db, posts: seqs)
                try db.execute(sql: "DELETE FROM posts WHERE seq IN (SELECT seq FROM temp.detaching_posts)")
                return seqs.count
            }
            if deleted == 0 { break }
            // ...then the files, after the commit.
            let discarded = try await discardDoomedFiles(emptying: emptier)
            summary.posts += deleted
            summary.files += discarded.files
            summary.bytes += discarded.bytes
            progress?(min(summary.posts, max(total, summary.posts)), max(total, summary.posts))
        }
        try await emptier.finish()
        if summary.posts > 0 || summary.files > 0 {
            let done = summary
            try await write("log the purge") { db in
                try Self.appendAudit(db, at: now, action: .purge, actor: "system", post: nil, reason: nil,
                                     detail: "{\"posts\":\(done.posts),\"files\":\(done.files),\"bytes\":\(done.bytes)}")
            }
        }
        // The feed log is kept to its last entries whether or not anything was purged.
        try await write("trim the feed log", durable: false) { db in try Self.trimFeedLog(db) }
        return summary
    }

    // MARK: Reconcile

    public func reconcile(fix: Bool, at now: Timestamp) async throws -> ReconcileReport {
        let blobs = self.blobs
        if fix { _ = try await discardDoomedFiles() }
        let onDisk: [(id: BlobID, bytes: Int64)]
        do { onDisk = try await blobs.run { try blobs.enumerate() } } catch { throw Self.storeError(error, doing: "list the blob files") }
        let (known, doomed, miscounted) = try await read("read the blob rows") { db in
            (Set(try String.fetchAll(db, sql: "SELECT id FROM blobs")),
             Set(try String.fetchAll(db, sql: "SELECT id FROM doomed_blobs")),
             try String.fetchAll(db, sql: """
                SELECT b.id FROM blobs b
                WHERE b.refs <> (SELECT count(*) FROM post_blobs pb WHERE pb.blob_id = b.id)
                              + (SELECT count(*) FROM creative_blobs cb WHERE cb.blob_id = b.id)
                """))
        }
        var report = ReconcileReport()
        let present = Set(onDisk.map(\.id.rawValue))
        let orphans = onDisk.filter { !known.contains($0.id.rawValue) && !doomed.contains($0.id.rawValue) }
        report.orphanFiles = orphans.map(\.id).sorted()
        report.orphanBytes = orphans.reduce(0) { $0 + $1.bytes }
        report.missingFiles = known.subtracting(present).compactMap(BlobID.init(rawValue:)).sorted()
        report.miscountedBlobs = miscounted.count
        let cutoff = now.seconds - Int64(configuration.temporaryGraceSeconds)
        let stale: [String]
        do { stale = try await blobs.run { try blobs.temporaryFiles(olderThan: cutoff) } } catch { throw Self.storeError(error, doing: "list temporary files") }
        report.staleTemporaryFiles = stale.count
        guard fix, !report.isClean else { return report }

        let orphanIDs = report.orphanFiles
        for chunk in stride(from: 0, to: orphanIDs.count, by: 1_000) {
            let part = Array(orphanIDs[chunk..<min(chunk + 1_000, orphanIDs.count)])
            // Under the write lock: a publish that commits a row for these bytes is serialized
            // with this, and rewrites the file if it finds it gone.
            try await write("remove orphan files") { db in
                let stillUnknown = try db.cachedStatement(sql: "SELECT NOT EXISTS (SELECT 1 FROM blobs WHERE id = ?)")
                for id in part where try Bool.fetchOne(stillUnknown, arguments: [id.rawValue]) ?? false {
                    try blobs.remove(id)
                }
            }
        }
        _ = try? await blobs.run { for path in stale { unlink(path) } }
        let fixedCounts = try await write("recount blob references") { db -> Int in
            try db.execute(sql: """
                UPDATE blobs SET refs = (SELECT count(*) FROM post_blobs pb WHERE pb.blob_id = blobs.id)
                                      + (SELECT count(*) FROM creative_blobs cb WHERE cb.blob_id = blobs.id)
                WHERE refs <> (SELECT count(*) FROM post_blobs pb WHERE pb.blob_id = blobs.id)
                             + (SELECT count(*) FROM creative_blobs cb WHERE cb.blob_id = blobs.id)
                """)
            let recounted = db.changesCount
            try db.execute(sql: "INSERT OR REPLACE INTO doomed_blobs (id, bytes) SELECT id, bytes FROM blobs WHERE refs = 0")
            try db.execute(sql: "DELETE FROM blobs WHERE refs = 0")
            return recounted
        }
        _ = try await discardDoomedFiles()
        try await write("log the reconcile") { [report] db in
            try Self.appendAudit(db, at: now, action: .reconcile, actor: "system", post: nil, reason: nil, detail: """
                {"orphan_files":\(report.orphanFiles.count),"orphan_bytes":\(report.orphanBytes),\
                "missing_files":\(report.missingFiles.count),"stale_temporary_files":\(report.staleTemporaryFiles),\
                "miscounted_blobs":\(fixedCounts)}
                """)
        }
        report.fixed = true
        return report
    }
}
