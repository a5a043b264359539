import Foundation
import GRDB
import StatusCore
import Testing
@testable import StatusStore

@Suite struct PurgeTests {
    @Test func purgingOnePostKeepsAFileAnotherLivePostUses() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a", "b"])
            var ids = Ids()
            let old = try await store.publish(imagePost(ids.next(), author: "a", at: t0 + (-2 * 86_400), original: "shared",
                                                       display: "old display", thumb: "old thumb"))
            let live = try await store.publish(imagePost(ids.next(), author: "b", at: t0, original: "shared"))
            #expect(old.blob(.original) == live.blob(.original))
            let summary = try await store.purge(at: t0, batchSize: 10, dryRun: false, progress: nil)
            #expect(summary == PurgeSummary(posts: 1, files: 2, bytes: Int64("old display".utf8.count + "old thumb".utf8.count)))
            #expect(try await store.post(old.id) == nil)
            let files = try filesOnDisk(directory)
            #expect(files == Set(live.blobs.map(\.id.rawValue)))
        }
    }

    @Test func dryRunCountsWhatARealRunDoesAndChangesNothing() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a"])
            var ids = Ids()
            for n in 0..<7 {
                _ = try await store.publish(imagePost(ids.next(), author: "a", at: t0 + Int64(-86_400 - n), original: "o\(n % 3)"))
            }
            _ = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "o0"))
            let before = try filesOnDisk(directory)
            let preview = try await store.purge(at: t0, batchSize: 3, dryRun: true, progress: nil)
            #expect(try filesOnDisk(directory) == before)
            let recorder = ProgressRecorder()
            let real = try await store.purge(at: t0, batchSize: 3, dryRun: false, progress: { done, total in
                recorder.record(done, total)
            })
            let reports = recorder.reports
            #expect(preview.posts == 7 && real.posts == 7)
            #expect(preview.files == real.files && preview.bytes == real.bytes)
            // The seven share three sets of files (o0, o1, o2); the live post keeps o0's three.
            #expect(real.files == 6)
            #expect(reports.first.map { $0 == (0, 7) } == true)
            #expect(reports.last.map { $0 == (7, 7) } == true)
            // Idempotent: nothing left to do.
            #expect(try await store.purge(at: t0, batchSize: 3, dryRun: false, progress: nil) == PurgeSummary())
        }
    }

    @Test func anInterruptedPurgeResumesUnlinkingWhatItCommitted() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a"])
            var ids = Ids()
            let post = try await store.publish(imagePost(ids.next(), author: "a", at: t0 + (-86_400), original: "gone"))
            // What a crash right after the deletion's commit leaves: rows gone, files doomed, not yet unlinked.
            try await store.pool.write { db in
                try SQLiteStatusStore.detachFiles(db, posts: [try SQLiteStatusStore.postSeq(db, post.id)])
                try db.execute(sql: "DELETE FROM posts WHERE id = ?", arguments: [post.id.rawValue])
            }
            #expect(try filesOnDisk(directory).count == 3)
            // ...and a file a crash left in the trash after its row was dealt with.
            _ = FileManager.default.createFile(atPath: directory + "/blobs/trash/" + String(repeating: "ab", count: 32), contents: Data("x".utf8))
            let summary = try await store.purge(at: t0, batchSize: 10, dryRun: false, progress: nil)
            #expect(summary.posts == 0 && summary.files == 3)
            #expect(try filesOnDisk(directory).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/trash").isEmpty)
            #expect(try await store.reconcile(fix: false, at: t0).isClean)
        }
    }

    @Test func aHeldPostKeepsItsFilesPastExpiryUntilReleased() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a", "v"])
            var ids = Ids()
            let post = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "evidence"))
            _ = try await store.hold(post: post.id, reason: "case 7", moderator: "m1", at: t0 + 10)
            let later = t0 + 3 * 86_400
            #expect(try await store.purge(at: later, batchSize: 10, dryRun: false, progress: nil).posts == 0)
            #expect(try filesOnDisk(directory).count == 3)
            // Held but expired: still never visible.
            await #expect(throws: StoreError.self) { _ = try await store.recordView(post: post.id, viewer: UserID("v"), at: later) }
            await #expect { _ = try await store.hold(post: post.id, reason: nil, moderator: "m1", at: later) } throws: { error in
                (error as? StoreError)?.code == .conflict
            }
            let released = try await store.release(post: post.id, reason: "case closed", moderator: "m2", at: later)
            #expect(!released.held)
            #expect(try await store.purge(at: later, batchSize: 10, dryRun: false, progress: nil).files == 3)
            #expect(try filesOnDisk(directory).isEmpty)
            let log = try await store.auditLog(after: 0, limit: 10)
            #expect(log.map(\.action) == [.hold, .release, .purge])
            #expect(log[0].actor == "m1" && log[0].reason == "case 7" && log[0].post == post.id)
        }
    }
}

@Suite struct ModerationTests {
    @Test func takedownRemovesThePostAtOnceAndDeletesItsFilesUnlessHeld() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a", "v"])
            var ids = Ids()
            let plain = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "p"))
            let held = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "h"))
            let down = try await store.takedown(post: plain.id, reason: "spam", moderator: "m1", hold: false, at: t0 + 60)
            #expect(down.state == .takenDown && down.blobs.isEmpty)
            #expect(down.takedown == Takedown(reason: "spam", moderator: "m1", at: t0 + 60))
            let kept = try await store.takedown(post: held.id, reason: "abuse", moderator: "m1", hold: true, at: t0 + 60)
            #expect(kept.held && kept.blobs.count == 3)
            #expect(try filesOnDisk(directory) == Set(held.blobs.map(\.id.rawValue)))
            for id in [plain.id, held.id] {
                await #expect { _ = try await store.recordView(post: id, viewer: UserID("v"), at: t0 + 61) } throws: { error in
                    (error as? StoreError)?.code == .notVisible
                }
            }
            await #expect { _ = try await store.takedown(post: plain.id, reason: "again", moderator: "m2", hold: false, at: t0) } throws: { error in
                (error as? StoreError)?.code == .conflict
            }
            // The purge takes the unheld row; the held one stays until released.
            #expect(try await store.purge(at: t0 + 120, batchSize: 10, dryRun: false, progress: nil).posts == 1)
            #expect(try await store.post(held.id) != nil)
            _ = try await store.release(post: held.id, reason: nil, moderator: "m2", at: t0 + 200)
            #expect(try filesOnDisk(directory).isEmpty)
            #expect(try await store.auditLog(after: 0, limit: 100).map(\.action) == [.takedown, .takedown, .purge, .release])
        }
    }

    @Test func theAuditLogRefusesChangesAndDeletions() async throws {
        try await withStore { store, _ in
            try await mutualContacts(store, ["a"])
            var ids = Ids()
            let post = try await store.publish(textPost(ids.next(), author: "a", at: t0))
            _ = try await store.hold(post: post.id, reason: "r", moderator: "m", at: t0)
            await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'someone else'") }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
            }
            #expect(try await store.auditLog(after: 0, limit: 10).map(\.actor) == ["m"])
        }
    }

    @Test func authorDeleteRemovesRowAndFilesButAHoldKeepsThem() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a", "b"])
            var ids = Ids()
            let gone = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "g"))
            let kept = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "k"))
            await #expect { try await store.deleteByAuthor(post: gone.id, author: UserID("b"), at: t0) } throws: { error in
                (error as? StoreError)?.code == .notAuthor
            }
            try await store.deleteByAuthor(post: gone.id, author: UserID("a"), at: t0)
            #expect(try await store.post(gone.id) == nil)
            _ = try await store.hold(post: kept.id, reason: "legal", moderator: "m", at: t0)
            try await store.deleteByAuthor(post: kept.id, author: UserID("a"), at: t0)
            #expect(try await store.post(kept.id)?.state == .deleted)
            #expect(try filesOnDisk(directory) == Set(kept.blobs.map(\.id.rawValue)))
            await #expect { try await store.deleteByAuthor(post: kept.id, author: UserID("a"), at: t0) } throws: { error in
                (error as? StoreError)?.code == .unknownPost
            }
            _ = try await store.release(post: kept.id, reason: nil, moderator: "m", at: t0)
            #expect(try filesOnDisk(directory).isEmpty)
        }
    }
}

@Suite struct ReconcileTests {
    @Test func findsOrphansMissingFilesAndStaleTemporariesAndFixesWhatItCan() async throws {
        try await withStore(configuration: StoreConfiguration(temporaryGraceSeconds: 60)) { store, directory in
            try await mutualContacts(store, ["a"])
            var ids = Ids()
            let post = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "kept"))
            // An orphan, as a crash between rename and commit leaves it.
            let orphan = try BlobDirectory(root: directory + "/blobs").store(.bytes(Array("orphan".utf8)))
            // A stale temporary file.
            let temporary = directory + "/blobs/tmp/1-2.part"
            _ = FileManager.default.createFile(atPath: temporary, contents: Data("half".utf8))
            // A row whose file went missing.
            let thumb = try #require(post.blob(.thumb))
            try FileManager.default.removeItem(atPath: blobPath(directory, thumb.id))

            let now = Timestamp.now() + 3_600
            let report = try await store.reconcile(fix: false, at: now)
            #expect(report.orphanFiles == [orphan.id])
            #expect(report.orphanBytes == 6)
            #expect(report.missingFiles == [thumb.id])
            #expect(report.staleTemporaryFiles == 1)
            #expect(!report.fixed)
            #expect(FileManager.default.fileExists(atPath: blobPath(directory, orphan.id)))

            let fixed = try await store.reconcile(fix: true, at: now)
            #expect(fixed.fixed)
            #expect(!FileManager.default.fileExists(atPath: blobPath(directory, orphan.id)))
            #expect(!FileManager.default.fileExists(atPath: temporary))
            let again = try await store.reconcile(fix: false, at: now)
            #expect(again.orphanFiles.isEmpty && again.staleTemporaryFiles == 0)
            #expect(again.missingFiles == [thumb.id], "a missing file is reported until a person deals with it")
        }
    }

    @Test func fixRecountsReferences() async throws {
        try await withStore { store, _ in
            try await mutualContacts(store, ["a"])
            var ids = Ids()
            _ = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "r"))
            try await store.pool.write { db in try db.execute(sql: "UPDATE blobs SET refs = 5") }
            #expect(try await store.reconcile(fix: false, at: t0).miscountedBlobs == 3)
            _ = try await store.reconcile(fix: true, at: t0)
            #expect(try await store.reconcile(fix: false, at: t0).isClean)
        }
    }
}

@Suite struct DatabaseTests {
    @Test func migrationsAreRecordedAndReopeningIsHarmless() async throws {
        try await withStore { store, directory in
            let all = ["v1 users, posts, blobs, views, mutes, audit log", "v2 purge index skips held posts", "v3 feed change log",
                       "v4 ad inventory, spend, serves and events", "v5 conversation starts, counters changed since a mark, budget leases"]
            #expect(try await store.appliedMigrations() == all)
            let again = try SQLiteStatusStore(directory: directory)
            #expect(try await again.appliedMigrations() == all)
            let mode = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }

    @Test func aDatabaseOfTheFirstVersionIsMigratedWithItsData() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let old = try DatabaseQueue(path: directory + "/status.sqlite")
        try Schema.migrator.migrate(old, upTo: "v1 users, posts, blobs, views, mutes, audit log")
        try await old.write { db in
            try db.execute(sql: "INSERT INTO users (id) VALUES ('a')")
            try db.execute(sql: """
                INSERT INTO posts (id, author_id, kind, created_at, expires_at, text, background, font, audience_mode)
                VALUES ('p00000000000000000000', 'a', 'text', 1000, 87400, 'hi', '#000000', 0, 'contacts')
                """)
        }
        try old.close()
        let store = try SQLiteStatusStore(directory: directory)
        #expect(try await store.appliedMigrations().count == 5)
        #expect(try await store.post(PostID(rawValue: "p00000000000000000000")!)?.text?.text == "hi")
        // The feed sees the old data: a reader starting from nothing loads it whole.
        guard case .reload(let world) = try await store.feedChanges(after: 0) else {
            Issue.record("a reader with nothing must reload")
            return
        }
        #expect(world.posts.map(\.post.text?.text) == ["hi"] && world.users.map(\.id) == [UserID("a")])
        let indexes = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts'") }
        #expect(indexes.contains("posts_purgeable") && !indexes.contains("posts_by_expiry"))
        #expect(try await store.purge(at: Timestamp(seconds: 87_400), batchSize: 10, dryRun: false, progress: nil).posts == 1)
        #expect(try await store.integrityCheck().isEmpty)
    }

    @Test func aDatabaseFromANewerEngineIsRefused() async throws {
        try await withStore { store, directory in
            try await store.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99 from the future')")
            }
            #expect { _ = try SQLiteStatusStore(directory: directory) } throws: { error in
                (error as? StoreError)?.code == .corrupt && "\(error)".contains("newer version")
            }
            try await store.pool.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v99 from the future'")
            }
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedWithATypedError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/status.sqlite", contents: Data(repeating: 0x41, count: 8192))
        #expect { _ = try SQLiteStatusStore(directory: directory) } throws: { error in
            (error as? StoreError)?.code == .corrupt
        }
    }

    @Test func aWriterLockedOutBeyondTheBusyTimeoutGetsBusy() async throws {
        try await withStore(configuration: StoreConfiguration(busyTimeoutMilliseconds: 100)) { store, directory in
            // Another connection, as another process would, holds the write lock while the store tries to write.
            let other = try DatabaseQueue(path: directory + "/status.sqlite")
            let outcome = try await other.writeWithoutTransaction { db -> String in
                try db.execute(sql: "BEGIN IMMEDIATE")
                let box = ProgressRecorder()
                let done = DispatchSemaphore(value: 0)
                Task {
                    do { try await store.upsertUsers([UserUpdate(id: UserID("late"))]); box.record(0, 0) }
                    catch let error as StoreError where error.code == .busy { box.record(1, 0) }
                    catch { box.record(2, 0) }
                    done.signal()
                }
                done.wait()
                try db.execute(sql: "ROLLBACK")
                return ["written", "busy", "other error"][box.reports.first!.0]
            }
            #expect(outcome == "busy")
            try await store.upsertUsers([UserUpdate(id: UserID("late"))])
            #expect(try await store.user(UserID("late")) != nil)
        }
    }
}

/// Collects progress reports from any thread.
final class ProgressRecorder: @unchecked Sendable {
    // @unchecked: `reports` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: [(Int, Int)] = []
    func record(_ done: Int, _ total: Int) { lock.lock(); stored.append((done, total)); lock.unlock() }
    var reports: [(Int, Int)] { lock.lock(); defer { lock.unlock() }; return stored }
}

@Suite struct FeedLogTests {
    @Test func everyChangeAFeedReadsIsLoggedAndReplayedWithItsCurrentState() async throws {
        try await withStore { store, _ in
            var ids = Ids()
            try await store.upsertUsers([UserUpdate(id: UserID("a"), contacts: [UserID("v")]),
                                         UserUpdate(id: UserID("v"), contacts: [UserID("a")])])
            let start = try await store.feedWorld().version
            let post = try await store.publish(textPost(ids.next(), author: "a", at: t0))
            _ = try await store.recordView(post: post.id, viewer: UserID("v"), at: t0)
            try await store.setMuted(viewer: UserID("v"), author: UserID("a"), muted: true)
            _ = try await store.hold(post: post.id, reason: nil, moderator: "m", at: t0)
            guard case .changes(let version, let changes) = try await store.feedChanges(after: start) else {
                Issue.record("a recent reader gets changes")
                return
            }
            #expect(version == start + 4)
            // The post once, in its latest state (held); the view after it; the mute as it stands.
            #expect(changes.count == 3)
            guard case .post(_, let record) = changes.first(where: { if case .post = $0 { true } else { false } }) else {
                Issue.record("the post is among the changes")
                return
            }
            #expect(record?.post.held == true)
            #expect(changes.contains(.mute(viewer: UserID("v"), author: UserID("a"), muted: true)))
            if case .view(let viewer, _) = changes.last { #expect(viewer == UserID("v")) } else { Issue.record("the view comes last") }
            // Importing the same users again changes nothing a feed reads: nothing logged.
            try await store.upsertUsers([UserUpdate(id: UserID("a"), contacts: [UserID("v")])])
            guard case .changes(_, let none) = try await store.feedChanges(after: version) else { return }
            #expect(none.isEmpty)
        }
    }

    @Test func aReaderBehindTheTrimmedLogReloadsTheWholeState() async throws {
        try await withStore { store, _ in
            var ids = Ids()
            try await store.upsertUsers([UserUpdate(id: UserID("a"))])
            let old = try await store.feedWorld().version
            for _ in 0..<3 { _ = try await store.publish(textPost(ids.next(), author: "a", at: t0)) }
            try await store.pool.write { db in try SQLiteStatusStore.trimFeedLog(db, keeping: 1) }
            guard case .reload(let world) = try await store.feedChanges(after: old) else {
                Issue.record("a reader behind the trimmed log must reload")
                return
            }
            #expect(world.posts.count == 3 && world.version == old + 3)
        }
    }
}
