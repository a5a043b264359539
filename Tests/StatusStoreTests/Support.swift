import Foundation
import GRDB
import StatusCore
import Testing
@testable import StatusStore

/// A store in a fresh temporary data directory. After `body`, the database must pass
/// `PRAGMA integrity_check` and `foreign_key_check`; the directory is removed either way.
func withStore(configuration: StoreConfiguration = .default,
               _ body: (SQLiteStatusStore, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("status-store-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try SQLiteStatusStore(directory: directory, configuration: configuration)
    try await body(store, directory)
    let findings = try await store.integrityCheck()
    #expect(findings.isEmpty, "integrity check: \(findings)")
}

let t0 = Timestamp(parsing: "2026-11-25T10:00:00Z")!

/// Post ids from a fixed seed, distinct across a test.
struct Ids {
    var generator = SplitMix64(seed: 42)
    mutating func next() -> PostID { PostID(using: &generator) }
}

/// An image-like post with three files of the given contents.
func imagePost(_ id: PostID, author: String, at: Timestamp, original: String, display: String? = nil, thumb: String? = nil) -> NewPost {
    NewPost(id: id, author: UserID(author), kind: .image, createdAt: at,
            media: MediaSummary(format: "jpeg", width: 100, height: 80),
            files: [
                BlobUpload(role: .original, contentType: "image/jpeg", content: .bytes(Array(original.utf8))),
                BlobUpload(role: .display, contentType: "image/jpeg", content: .bytes(Array((display ?? original + "/display").utf8)), width: 100, height: 80),
                BlobUpload(role: .thumb, contentType: "image/jpeg", content: .bytes(Array((thumb ?? original + "/thumb").utf8)), width: 40, height: 32),
            ])
}

func textPost(_ id: PostID, author: String, at: Timestamp, text: String = "hello") -> NewPost {
    NewPost(id: id, author: UserID(author), kind: .text, createdAt: at,
            text: TextContent(text: text, background: "#128C7E", font: 0),
            files: [BlobUpload(role: .display, contentType: "image/png", content: .bytes(Array("png:\(text)".utf8)), width: 1080, height: 1920),
                    BlobUpload(role: .thumb, contentType: "image/png", content: .bytes(Array("thumb:\(text)".utf8)), width: 320, height: 320)])
}

/// Mutual contacts among `ids`, everyone with default settings.
func mutualContacts(_ store: SQLiteStatusStore, _ ids: [String]) async throws {
    try await store.upsertUsers(ids.map { id in
        UserUpdate(id: UserID(id), contacts: ids.filter { $0 != id }.map(UserID.init))
    })
}

/// Every blob file on disk under `directory`, by id.
func filesOnDisk(_ directory: String) throws -> Set<String> {
    let root = directory + "/blobs"
    var found: Set<String> = []
    for shard in try FileManager.default.contentsOfDirectory(atPath: root) where shard.count == 2 {
        for name in try FileManager.default.contentsOfDirectory(atPath: root + "/" + shard) { found.insert(name) }
    }
    return found
}

func blobPath(_ directory: String, _ id: BlobID) -> String {
    directory + "/blobs/" + id.rawValue.prefix(2) + "/" + id.rawValue
}
