import Foundation
import GRDB
import StatusCore
import Testing
@testable import StatusStore

@Suite struct UserTests {
    @Test func upsertKeepsFieldsLeftOutAndReplacesListsGiven() async throws {
        try await withStore { store, _ in
            try await store.upsertUsers([UserUpdate(id: UserID("u1"), country: "EG", language: "ar", birthYear: 1994,
                                                    ads: false, contacts: [UserID("u2"), UserID("u3")],
                                                    privacy: Audience(mode: .contactsExcept, list: [UserID("u3")]))])
            try await store.upsertUsers([UserUpdate(id: UserID("u1"), language: "en", contacts: [UserID("u4")])])
            let user = try #require(try await store.user(UserID("u1")))
            #expect(user.country == "EG")
            #expect(user.language == "en")
            #expect(user.birthYear == 1994)
            #expect(user.ads == false)
            #expect(user.readReceipts == true)
            #expect(user.contacts == [UserID("u4")])
            #expect(user.privacy == Audience(mode: .contactsExcept, list: [UserID("u3")]))
            // null clears
            try await store.upsertUsers([UserUpdate(id: UserID("u1"), country: .some(nil))])
            #expect(try await store.user(UserID("u1"))?.country == nil)
            #expect(try await store.user(UserID("nobody")) == nil)
        }
    }

    @Test func importingTheSameUpdatesTwiceChangesNothing() async throws {
        try await withStore { store, _ in
            let updates = [UserUpdate(id: UserID("a"), contacts: [UserID("b")], blocked: [UserID("c")]),
                           UserUpdate(id: UserID("b"), contacts: [UserID("a")])]
            try await store.upsertUsers(updates)
            let first = try await store.user(UserID("a"))
            try await store.upsertUsers(updates)
            #expect(try await store.user(UserID("a")) == first)
            #expect(first?.blocked == [UserID("c")])
        }
    }
}

@Suite struct PublishTests {
    @Test func expiryIsExactlyTwentyFourHoursAndTheBoundaryIsExclusive() async throws {
        try await withStore { store, _ in
            try await mutualContacts(store, ["a", "v"])
            var ids = Ids()
            let post = try await store.publish(textPost(ids.next(), author: "a", at: t0))
            #expect(post.expiresAt.seconds == t0.seconds + 86_400)
            #expect(try await store.recordView(post: post.id, viewer: UserID("v"), at: post.expiresAt + (-1)) == .recorded)
            await #expect(throws: StoreError.self) {
                _ = try await store.recordView(post: post.id, viewer: UserID("v"), at: post.expiresAt)
            }
            // Not purged yet at expiry... and purged exactly at it.
            #expect(try await store.purge(at: post.expiresAt + (-1), batchSize: 10, dryRun: false, progress: nil).posts == 0)
            #expect(try await store.purge(at: post.expiresAt, batchSize: 10, dryRun: false, progress: nil).posts == 1)
            #expect(try await store.post(post.id) == nil)
        }
    }

    @Test func audienceIsSnapshottedAtPostingTime() async throws {
        try await withStore { store, _ in
            try await mutualContacts(store, ["a", "v", "w"])
            try await store.upsertUsers([UserUpdate(id: UserID("a"), privacy: Audience(mode: .onlyShareWith, list: [UserID("v")]))])
            var ids = Ids()
            let before = try await store.publish(textPost(ids.next(), author: "a", at: t0, text: "one"))
            try await store.upsertUsers([UserUpdate(id: UserID("a"), privacy: .contacts)])
            let after = try await store.publish(textPost(ids.next(), author: "a", at: t0, text: "two"))
            #expect(before.audience == Audience(mode: .onlyShareWith, list: [UserID("v")]))
            #expect(after.audience == .contacts)
            #expect(try await store.post(before.id)?.audience == before.audience)
            await #expect(throws: StoreError.self) { _ = try await store.recordView(post: before.id, viewer: UserID("w"), at: t0) }
            #expect(try await store.recordView(post: after.id, viewer: UserID("w"), at: t0) == .recorded)
            #expect(try await store.recordView(post: before.id, viewer: UserID("v"), at: t0) == .recorded)
        }
    }

    @Test func unknownAuthorIsRefusedAndLeavesNothing() async throws {
        try await withStore { store, directory in
            var ids = Ids()
            await #expect { _ = try await store.publish(textPost(ids.next(), author: "ghost", at: t0)) } throws: { error in
                (error as? StoreError)?.code == .unknownUser
            }
            let files = try filesOnDisk(directory)
            let temporary = try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/tmp")
            #expect(files.isEmpty)
            #expect(temporary.isEmpty)
        }
    }

    @Test func identicalFilesAreStoredOnceAndCounted() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a", "b"])
            var ids = Ids()
            let one = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "same"))
            let two = try await store.publish(imagePost(ids.next(), author: "b", at: t0, original: "same"))
            #expect(one.blobs.map(\.id) == two.blobs.map(\.id))
            #expect(try filesOnDisk(directory).count == 3)
            let refs = try await store.pool.read { db in try Int.fetchAll(db, sql: "SELECT refs FROM blobs") }
            #expect(refs == [2, 2, 2])
            // The stored bytes are the bytes given, named by their SHA-256.
            let original = try #require(one.blob(.original))
            #expect(try Data(contentsOf: URL(fileURLWithPath: blobPath(directory, original.id))) == Data("same".utf8))
            #expect(original.id.rawValue == "0967115f2813a3541eaef77de9d9d5773f1c0c04314b0bbfe4ff3b3b1c55b5d5")
        }
    }

    @Test func aFileDeletedBehindTheStoresBackIsWrittenAgainByTheNextPublishOfTheSameBytes() async throws {
        try await withStore { store, directory in
            try await mutualContacts(store, ["a"])
            var ids = Ids()
            let one = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "x"))
            let original = try #require(one.blob(.original))
            try FileManager.default.removeItem(atPath: blobPath(directory, original.id))
            _ = try await store.publish(imagePost(ids.next(), author: "a", at: t0, original: "x"))
            #expect(FileManager.default.fileExists(atPath: blobPath(directory, original.id)))
        }
    }
}

@Suite struct VisibilityTests {
    @Test func mutualContactsBlocksAndAudienceModes() async throws {
        try await withStore { store, _ in
            try await store.upsertUsers([
                UserUpdate(id: UserID("a"), contacts: ["v", "oneway", "blocker", "blocked", "x"].map(UserID.init),
                           blocked: [UserID("blocked")], privacy: Audience(mode: .contactsExcept, list: [UserID("x")])),
                UserUpdate(id: UserID("v"), contacts: [UserID("a")]),
                UserUpdate(id: UserID("oneway"), contacts: []),
                UserUpdate(id: UserID("blocker"), contacts: [UserID("a")], blocked: [UserID("a")]),
                UserUpdate(id: UserID("blocked"), contacts: [UserID("a")]),
                UserUpdate(id: UserID("x"), contacts: [UserID("a")]),
                UserUpdate(id: UserID("stranger")),
            ])
            var ids = Ids()
            let post = try await store.publish(textPost(ids.next(), author: "a", at: t0))
            #expect(try await store.recordView(post: post.id, viewer: UserID("v"), at: t0) == .recorded)
            #expect(try await store.recordView(post: post.id, viewer: UserID("v"), at: t0 + 5) == .alreadySeen)
            for viewer in ["oneway", "blocker", "blocked", "x", "stranger", "a"] {
                await #expect("\(viewer) must not see the post") {
                    _ = try await store.recordView(post: post.id, viewer: UserID(viewer), at: t0)
                } throws: { error in (error as? StoreError)?.code == .notVisible }
            }
            await #expect { _ = try await store.recordView(post: post.id, viewer: UserID("nobody"), at: t0) } throws: { error in
                (error as? StoreError)?.code == .unknownUser
            }
        }
    }

    @Test func readReceiptsOffHideTheViewerListBothWays() async throws {
        try await withStore { store, _ in
            try await mutualContacts(store, ["a", "v", "w"])
            var ids = Ids()
            let post = try await store.publish(textPost(ids.next(), author: "a", at: t0))
            _ = try await store.recordView(post: post.id, viewer: UserID("w"), at: t0 + 2)
            _ = try await store.recordView(post: post.id, viewer: UserID("v"), at: t0 + 1)
            #expect(try await store.viewers(of: post.id).map(\.viewer) == [UserID("v"), UserID("w")])
            try await store.upsertUsers([UserUpdate(id: UserID("w"), readReceipts: false)])
            #expect(try await store.viewers(of: post.id).map(\.viewer) == [UserID("v")])
            try await store.upsertUsers([UserUpdate(id: UserID("a"), readReceipts: false)])
            #expect(try await store.viewers(of: post.id).isEmpty)
        }
    }

    @Test func muteAndUnmute() async throws {
        try await withStore { store, _ in
            try await mutualContacts(store, ["a", "v"])
            try await store.setMuted(viewer: UserID("v"), author: UserID("a"), muted: true)
            try await store.setMuted(viewer: UserID("v"), author: UserID("a"), muted: true)
            #expect(try await store.isMuted(viewer: UserID("v"), author: UserID("a")))
            #expect(try await !store.isMuted(viewer: UserID("a"), author: UserID("v")))
            try await store.setMuted(viewer: UserID("v"), author: UserID("a"), muted: false)
            #expect(try await !store.isMuted(viewer: UserID("v"), author: UserID("a")))
            await #expect(throws: StoreError.self) { try await store.setMuted(viewer: UserID("v"), author: UserID("ghost"), muted: true) }
        }
    }
}
