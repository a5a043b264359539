import Foundation
import StatusCore
import StatusEngine
import StatusMedia
import StatusStore
import Testing

/// An engine over a fresh temporary data directory; the database must pass its integrity check
/// after `body`, and the directory is removed either way.
func withEngine(_ body: (Engine, SQLiteStatusStore, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-engine-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let engine = try Engine.open(dataDirectory: directory, configuration: .default, randomSeed: 7)
    let store = try #require(engine.store as? SQLiteStatusStore)
    try await body(engine, store, directory)
    let findings = try await store.integrityCheck()
    #expect(findings.isEmpty, "integrity check: \(findings)")
}

func blobFiles(_ directory: String) -> [String] {
    let root = directory + "/blobs"
    return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.count == 2 }.flatMap { shard in
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + shard)) ?? []).map { root + "/" + shard + "/" + $0 }
    }
}

let t0 = Timestamp(parsing: "2026-11-25T10:00:00Z")!
let videos = repositoryRoot.appendingPathComponent("fixtures/video")

@Suite struct PublishingTests {
    @Test func aTextPostIsRenderedAndStoredLikeAnyOtherRenditions() async throws {
        try await withEngine { engine, store, directory in
            try await store.upsertUsers([UserUpdate(id: UserID("a"))])
            let post = try await engine.publishText(author: UserID("a"), text: "مرحبا بالعالم 👋 hello", background: "#075E54", font: 3, at: t0)
            #expect(post.kind == .text)
            #expect(post.text == TextContent(text: "مرحبا بالعالم 👋 hello", background: "#075E54", font: 3))
            #expect(post.expiresAt == t0 + 86_400)
            #expect(post.blobs.map(\.role) == [.display, .thumb])
            let display = try #require(post.blob(.display))
            #expect(display.width == 1080 && display.height == 1920)
            #expect(post.blob(.thumb)?.width == 320 && post.blob(.thumb)?.height == 320)
            // The stored file is the rendered picture itself, named by its SHA-256.
            let path = directory + "/blobs/" + display.id.rawValue.prefix(2) + "/" + display.id.rawValue
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(bytes.count == Int(display.bytes))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let be = { (at: Int) in bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
            #expect(be(16) == 1080 && be(20) == 1920, "IHDR size")
            #expect(blobFiles(directory).count == 2)
        }
    }

    @Test func aPhotoKeepsItsOriginalByteForByteBesideItsRenditions() async throws {
        try await withEngine { engine, store, directory in
            try await store.upsertUsers([UserUpdate(id: UserID("a"))])
            let file = images.appendingPathComponent("jpeg-orientation-6.jpg").path
            let post = try await engine.publishMedia(author: UserID("a"), file: file, caption: "sideways", at: t0)
            #expect(post.kind == .image && post.caption == "sideways")
            let original = try #require(post.blob(.original))
            #expect(original.contentType == "image/jpeg")
            let stored = try Data(contentsOf: URL(fileURLWithPath: directory + "/blobs/" + original.id.rawValue.prefix(2) + "/" + original.id.rawValue))
            #expect(stored == (try Data(contentsOf: URL(fileURLWithPath: file))))
            // Sizes after orientation: the fixture is stored 48×64 and shown 64×48.
            let media = try #require(post.media)
            #expect(media.width == 64 && media.height == 48)
            #expect(post.blob(.display)?.contentType == "image/jpeg")
            #expect(blobFiles(directory).count == 3)
            // The same photo again shares all three files.
            let again = try await engine.publishMedia(author: UserID("a"), file: file, at: t0)
            #expect(again.blobs.map(\.id) == post.blobs.map(\.id))
            #expect(blobFiles(directory).count == 3)
        }
    }

    @Test func aVideoKeepsItsOriginalAndGetsAPosterAndThumb() async throws {
        try await withEngine { engine, store, directory in
            try await store.upsertUsers([UserUpdate(id: UserID("a"))])
            let post = try await engine.publishMedia(author: UserID("a"), file: videos.appendingPathComponent("mp4-h264-aac.mp4").path, at: t0)
            #expect(post.kind == .video)
            #expect(post.blob(.original)?.contentType == "video/mp4")
            #expect(post.media?.format == "mp4")
            #expect((post.media?.durationMilliseconds ?? 0) > 0)
            #expect(post.blobs.map(\.role) == [.original, .display, .thumb])
        }
    }

    @Test(arguments: ["corrupt-jpeg-truncated.jpg", "corrupt-png-bad-crc.png", "bomb-png-100000x100000.png", "not-an-image.txt"])
    func aRefusedPhotoLeavesNothingBehind(_ name: String) async throws {
        try await withEngine { engine, store, directory in
            try await store.upsertUsers([UserUpdate(id: UserID("a"))])
            await #expect(throws: MediaError.self) {
                _ = try await engine.publishMedia(author: UserID("a"), file: images.appendingPathComponent(name).path, at: t0)
            }
            #expect(blobFiles(directory).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/tmp").isEmpty)
            #expect(try await store.reconcile(fix: false, at: t0).isClean)
        }
    }

    @Test func refusedTextAndCaptionsAndUnknownAuthorsLeaveNothingBehind() async throws {
        try await withEngine { engine, store, directory in
            try await store.upsertUsers([UserUpdate(id: UserID("a"))])
            await #expect { _ = try await engine.publishText(author: UserID("a"), text: String(repeating: "ب", count: 701), at: t0) } throws: { error in
                (error as? MediaError)?.code == .textTooLong
            }
            await #expect { _ = try await engine.publishText(author: UserID("a"), text: "hi", background: "teal", at: t0) } throws: { error in
                (error as? MediaError)?.code == .badColour
            }
            await #expect {
                _ = try await engine.publishMedia(author: UserID("a"), file: images.appendingPathComponent("jpeg-baseline.jpg").path,
                                                  caption: String(repeating: "x", count: 701), at: t0)
            } throws: { error in (error as? MediaError)?.code == .captionTooLong }
            await #expect { _ = try await engine.publishText(author: UserID("ghost"), text: "hi", at: t0) } throws: { error in
                (error as? StoreError)?.code == .unknownUser
            }
            #expect(blobFiles(directory).isEmpty)
        }
    }
}

@Suite struct UsersImportTests {
    @Test func everyBadLineIsReportedWithItsNumberAndTheGoodOnesAreApplied() async throws {
        try await withEngine { engine, store, _ in
            let file = """
                {"id": "u1", "country": "EG", "language": "ar", "birth_year": 1994, "contacts": ["u2", "u3"], "blocked": [], "privacy": {"mode": "contacts_except", "list": ["u3"]}, "ads": true, "read_receipts": true}
                {"id": "u2", "contacts": ["u1"]}
                {"id": "u3", "country": "XX"}
                not json

                {"id": "u4", "colour": "red"}
                {"id": "u5", "birth_year": 1850}
                {"id": "u6", "language": "not a tag"}
                {"id": "u7", "privacy": {"mode": "everyone"}}
                {"id": "u8", "contacts": ["u8"]}
                {"id": "bad id!"}
                {"country": "EG"}
                {"id": "u9", "ads": "yes"}
                [1, 2]
                {"id": "u10", "privacy": {"mode": "only_share_with", "list": ["u1"]}}
                """
            let report = try await engine.importUsers(jsonLines: Array(file.utf8), at: t0)
            #expect(report.applied == 3)
            #expect(report.errors.map(\.line) == [3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14])
            #expect(report.errors[0].reason.contains("ISO 3166"))
            #expect(report.errors[2].reason.contains("colour"))
            #expect(report.errors[3].reason.contains("1850"))
            #expect(report.errors[9].reason.contains("ads"))
            #expect(try await store.user(UserID("u1"))?.privacy == Audience(mode: .contactsExcept, list: [UserID("u3")]))
            #expect(try await store.user(UserID("u10"))?.privacy.mode == .onlyShareWith)
            #expect(try await store.user(UserID("u3")) == nil)
            let again = try await engine.importUsers(jsonLines: Array(file.utf8), at: t0)
            #expect(again.applied == 3)
            #expect(try await store.user(UserID("u1"))?.contacts == [UserID("u2"), UserID("u3")])
        }
    }
}
