import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import StatusEngine
import StatusHTTP
import Testing

/// The feed service's routes over a real engine: users, posts and uploads, views, mutes, media.
@Suite(.serialized) struct FeedRouteTests {
    static let at = Harness.at

    @Test func usersAreCreatedUpdatedAndRefusedWithReasons() async throws {
        try await Harness.with { _, client in
            let created = try await client.send(.put, "/v1/users/newbie", json: #"{"country": "EG", "language": "ar", "contacts": ["u1"], "ads": false}"#)
            #expect(created.status == .ok && created.object["country"] as? String == "EG" && created.object["ads"] as? Bool == false)
            let updated = try await client.send(.put, "/v1/users/newbie", json: #"{"id": "newbie", "read_receipts": false, "privacy": {"mode": "only_share_with", "list": ["u1"]}}"#)
            #expect(updated.object["country"] as? String == "EG", "a field left out keeps its value")
            #expect(updated.object["read_receipts"] as? Bool == false && (updated.object["privacy"] as? [String: Any])?["mode"] as? String == "only_share_with")
            let shown = try await client.send(.get, "/v1/users/newbie")
            #expect(shown.object["contacts"] as? [String] == ["u1"])
            // A time before 1900 leaves no valid birth year (it once stopped the server).
            let early = try await client.send(.put, "/v1/users/newbie?at=1970-01-01T00:00:00Z", json: #"{"birth_year": 1969}"#)
            #expect(early.status == .ok)
            for (body, field) in [(#"{"country": "XX"}"#, "country"), (#"{"id": "other"}"#, "id"), (#"{"colour": 1}"#, "colour"),
                                  (#"{"read_receipts": null}"#, "read_receipts"), (#"{"birth_year": 2999}"#, "birth_year"),
                                  (#"{"contacts": ["newbie"]}"#, "contacts"), ("[1]", "body"), ("nope", "body")] {
                let refused = try await client.send(.put, "/v1/users/newbie", json: body)
                #expect(refused.status == .unprocessableContent && refused.errorCode == "invalid", "\(body)")
                #expect((refused.object["error"] as? [String: Any])?["message"] as? String ?? "" != "", "\(body)")
                _ = field
            }
            let plain = try await client.send(.put, "/v1/users/newbie", headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(plain.status == .unsupportedMediaType && plain.errorCode == "unsupported_media_type")
            #expect(try await client.send(.get, "/v1/users/nobody").status == .notFound)
            // Path parameters are percent-decoded: u%31 is u1, a%40b is a@b.
            #expect(try await client.send(.get, "/v1/users/u%31").object["id"] as? String == "u1")
            _ = try await client.send(.put, "/v1/users/a@b", json: "{}")
            #expect(try await client.send(.get, "/v1/users/a%40b").object["id"] as? String == "a@b")
            #expect(try await client.send(.get, "/v1/users/a%4").status == .badRequest)
            #expect(try await client.send(.get, "/v1/users/bad%20id").status == .badRequest)
        }
    }

    @Test func postsArePublishedAsJSONRawBodiesOrFormsAndServedByBlob() async throws {
        try await Harness.with { harness, client in
            let text = try await client.send(.post, "/v1/posts", json: ##"{"author": "u1", "text": "مرحبا من الخادم", "background": "#075E54", "font": 3}"##)
            #expect(text.status == .created && text.object["kind"] as? String == "text")
            // SQLite would store the text only up to a NUL, while the picture showed all of it
            // (found by scripts/adversarial): refused, in the text and in a caption.
            let nul = try await client.send(.post, "/v1/posts", json: #"{"author": "u1", "text": "visible\u0000hidden"}"#)
            #expect(nul.status == .unprocessableContent && nul.errorCode == "bad_text", "\(nul.text)")
            let nulCaption = try await client.send(.post, "/v1/posts?author=u2&caption=a%00b", headers: [.contentType: "image/jpeg"],
                                                   body: ByteBuffer(bytes: try fixture("images/jpeg-orientation-6.jpg")))
            #expect(nulCaption.status == .unprocessableContent && nulCaption.errorCode == "bad_text", "\(nulCaption.text)")
            #expect(text.headers[.location] == "/v1/posts/\(text.object["id"] as? String ?? "")")
            let photo = try await client.send(.post, "/v1/posts?author=u2&caption=roof", headers: [.contentType: "image/jpeg"],
                                              body: ByteBuffer(bytes: try fixture("images/jpeg-orientation-6.jpg")))
            #expect(photo.status == .created && photo.object["caption"] as? String == "roof")
            // Orientation 6: the 48×64 pixels turned upright, 64×48.
            #expect(photo.object["width"] as? Int == 64 && photo.object["height"] as? Int == 48, "\(photo.text)")
            let video = try fixture("video/mp4-h264-aac.mp4")
            let (headers, form) = Client.form([("author", "u3"), ("caption", "clip")],
                                              files: [("media", "clip.mp4", "video/mp4", video)])
            let posted = try await client.send(.post, "/v1/posts", headers: headers, body: form)
            #expect(posted.status == .created && posted.object["kind"] as? String == "video")
            #expect(try await client.send(.get, "/v1/posts/\(posted.object["id"] as? String ?? "")").object["caption"] as? String == "clip")

            // The video's original, by blob: whole, a range, the last bytes, cached, refused ranges.
            let renditions = posted.object["renditions"] as? [String: [String: Any]] ?? [:]
            let blob = try #require(renditions["original"]?["blob"] as? String)
            let whole = try await client.send(.get, "/v1/media/\(blob)")
            #expect(whole.status == .ok && Array(whole.body.readableBytesView) == video)
            #expect(whole.headers[.eTag] == "\"\(blob)\"" && whole.headers[.cacheControl]?.contains("immutable") == true)
            #expect(whole.headers[.contentType] == "video/mp4" && whole.headers[.acceptRanges] == "bytes")
            let part = try await client.send(.get, "/v1/media/\(blob)", headers: [.range: "bytes=10-19"])
            #expect(part.status == .partialContent && Array(part.body.readableBytesView) == Array(video[10...19]))
            #expect(part.headers[.contentRange] == "bytes 10-19/\(video.count)")
            let tail = try await client.send(.get, "/v1/media/\(blob)", headers: [.range: "bytes=-4"])
            #expect(Array(tail.body.readableBytesView) == Array(video.suffix(4)))
            let cached = try await client.send(.get, "/v1/media/\(blob)", headers: [.ifNoneMatch: "\"\(blob)\""])
            #expect(cached.status == .notModified && cached.body.readableBytes == 0)
            let outside = try await client.send(.get, "/v1/media/\(blob)", headers: [.range: "bytes=\(video.count)-"])
            #expect(outside.status == .rangeNotSatisfiable && outside.headers[.contentRange] == "bytes */\(video.count)")
            // An image's original is never sent; its renditions are.
            let photoFiles = photo.object["renditions"] as? [String: [String: Any]] ?? [:]
            #expect(try await client.send(.get, "/v1/media/\(photoFiles["original"]?["blob"] as? String ?? "")").status == .notFound)
            #expect(try await client.send(.get, "/v1/media/\(photoFiles["thumb"]?["blob"] as? String ?? "")").headers[.contentType] == "image/jpeg")
            #expect(try await client.send(.get, "/v1/media/..%2F..%2Fstatus.sqlite").status == .badRequest)
            #expect(try await client.send(.get, "/v1/media/\(String(repeating: "0", count: 64))").errorCode == "unknown_blob")
            // Corrupt, truncated and unknown media are refused with the media module's reasons, and no file stays.
            for (file, status) in [("images/corrupt-jpeg-truncated.jpg", HTTPResponse.Status.unprocessableContent),
                                   ("images/bomb-png-100000x100000.png", .unprocessableContent),
                                   ("images/empty.bin", .unsupportedMediaType)] {
                let refused = try await client.send(.post, "/v1/posts?author=u5", headers: [.contentType: "application/octet-stream"],
                                                    body: ByteBuffer(bytes: try fixture(file)))
                #expect(refused.status == status, "\(file): \(refused.text)")
            }

            // The author deletes: the files go at once.
            #expect(try await client.send(.delete, "/v1/posts/\(posted.object["id"] as? String ?? "")?author=u1").errorCode == "not_author")
            #expect(try await client.send(.delete, "/v1/posts/\(posted.object["id"] as? String ?? "")").status == .badRequest)
            let deleted = try await client.send(.delete, "/v1/posts/\(posted.object["id"] as? String ?? "")?author=u3")
            #expect(deleted.status == .ok && deleted.object["deleted"] as? Bool == true)
            #expect(try await client.send(.get, "/v1/media/\(blob)").status == .notFound)
            #expect(try FileManager.default.contentsOfDirectory(atPath: harness.directory + "/uploads").isEmpty, "uploads are discarded")
        }
    }

    @Test func refusedUploadsStoreNothingAndLeaveNoFiles() async throws {
        var limits = BodyLimits(configuration: .default)
        limits.media = 4_096
        try await Harness.with(limits: limits) { harness, client in
            let before = try await harness.engine.myStatus(author: UserID("u5"), at: Timestamp.now()).count
            let big = try fixture("video/mp4-h264-aac.mp4")  // 9 KB, over the 4 KiB limit set here
            #expect(big.count > 4_096)
            let raw = try await client.send(.post, "/v1/posts?author=u5", headers: [.contentType: "video/mp4"], body: ByteBuffer(bytes: big))
            #expect(raw.status == .contentTooLarge && raw.errorCode == "too_large")
            let (headers, form) = Client.form([("author", "u5")], files: [("media", "v.mp4", "video/mp4", big)])
            #expect(try await client.send(.post, "/v1/posts", headers: headers, body: form).status == .contentTooLarge)
            #expect(try await client.send(.post, "/v1/posts?author=nobody", headers: [.contentType: "image/jpeg"],
                                          body: ByteBuffer(bytes: try fixture("images/jpeg-baseline.jpg"))).errorCode == "unknown_user")
            #expect(try await client.send(.post, "/v1/posts", headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi")).status == .unsupportedMediaType)
            #expect(try await client.send(.post, "/v1/posts", json: #"{"author": "u5", "text": ""}"#).status == .unprocessableContent)
            #expect(try await client.send(.post, "/v1/posts", json: #"{"author": "u5", "text": "x", "mood": "ok"}"#).errorCode == "bad_json")
            #expect(try await client.send(.post, "/v1/posts?caption=x", json: #"{"author": "u5", "text": "x"}"#).status == .badRequest)
            let (noFile, form2) = Client.form([("author", "u5")], files: [])
            #expect(try await client.send(.post, "/v1/posts", headers: noFile, body: form2).errorCode == "bad_multipart")
            let truncated = ByteBuffer(bytes: Array(form.readableBytesView.prefix(200)))
            #expect(try await client.send(.post, "/v1/posts", headers: headers, body: truncated).status == .badRequest)
            #expect(try await harness.engine.myStatus(author: UserID("u5"), at: Timestamp.now()).count == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: harness.directory + "/uploads").isEmpty)
            let reconcile = try await harness.engine.store.reconcile(fix: false, at: Timestamp.now())
            #expect(reconcile.isClean, "no stray files: \(reconcile)")
        }
    }

    @Test func viewsViewerListsMutesAndOwnStatus() async throws {
        try await Harness.with { _, client in
            let feed = try await client.send(.get, "/v1/feed/u1?at=\(Self.at)")
            let group = try #require(feed.object["items"].flatMap { $0 as? [[String: Any]] }?.first { $0["section"] as? String == "recent" })
            let author = try #require(group["author"] as? String)
            let post = try #require((group["posts"] as? [[String: Any]])?.first { $0["seen"] as? Bool == false }?["id"] as? String)
            for outcome in ["recorded", "already_seen"] {
                let view = try await client.send(.post, "/v1/posts/\(post)/views", json: #"{"viewer": "u1", "at": "\#(Self.at)"}"#)
                #expect(view.status == .ok && view.object["outcome"] as? String == outcome)
            }
            _ = try await client.send(.put, "/v1/users/stranger", json: "{}")
            let stranger = try await client.send(.post, "/v1/posts/\(post)/views", json: #"{"viewer": "stranger", "at": "\#(Self.at)"}"#)
            #expect(stranger.status == .forbidden && stranger.errorCode == "not_visible")
            #expect(try await client.send(.post, "/v1/posts/\(post)/views", json: #"{"at": "\#(Self.at)"}"#).errorCode == "bad_json")
            #expect(try await client.send(.post, "/v1/posts/pzzzzzzzzzzzzzzzzzzzz/views", json: #"{"viewer": "u1"}"#).status == .notFound)
            let viewers = try await client.send(.get, "/v1/posts/\(post)/viewers")
            #expect(viewers.status == .ok)
            let status = try await client.send(.get, "/v1/users/\(author)/status?at=\(Self.at)")
            #expect((status.object["posts"] as? [[String: Any]])?.contains { $0["id"] as? String == post } == true)
            #expect(try await client.send(.get, "/v1/users/nobody/status").status == .notFound)

            let muted = try await client.send(.put, "/v1/users/u1/muted/\(author)")
            #expect(muted.object["muted"] as? Bool == true)
            let after = try await client.send(.get, "/v1/feed/u1?at=\(Self.at)")
            #expect((after.object["muted"] as? [[String: Any]])?.contains { $0["author"] as? String == author } == true)
            #expect(try await client.send(.delete, "/v1/users/u1/muted/\(author)").object["muted"] as? Bool == false)
            let explained = try await client.send(.get, "/v1/feed/u1?at=\(Self.at)&explain=true")
            #expect(explained.object["ads"] != nil)
            #expect(try await client.send(.get, "/v1/feed/u1?explain=maybe").status == .badRequest)
        }
    }

    @Test func theKeptPostJSONGivesTheSameFeedTextAsTheJSONTree() async throws {
        try await Harness.with { harness, _ in
            var compared = 0, withAds = 0
            for at in [Self.at, "2026-11-25T20:00:00Z", "2026-11-26T06:00:00Z"] {
                for n in 1...60 {
                    let page = try await harness.engine.feedWithAds(for: UserID("u\(n)"), at: Timestamp(parsing: at)!)
                    let tree = page.json(explain: false, policy: harness.engine.configuration.ads.policy).serialized
                    // Twice: the first write keeps the posts' JSON, the second reuses it.
                    for _ in 0..<2 {
                        #expect(String(decoding: harness.engine.feedPageJSON(page, explain: false), as: UTF8.self) == tree, "u\(n) at \(at)")
                    }
                    compared += 1
                    withAds += page.ads.isEmpty ? 0 : 1
                }
            }
            #expect(compared == 180 && withAds > 10)
        }
    }

    @Test func aLockedStoreAnswers503AndLosesNothing() async throws {
        var configuration = EngineConfiguration.default
        configuration.storage.busyTimeoutMilliseconds = 100
        try await Harness.with(configuration: configuration) { harness, client in
            var locking = Configuration()
            locking.allowsUnsafeTransactions = true  // the lock is held across accesses on purpose
            let queue = try DatabaseQueue(path: harness.directory + "/status.sqlite", configuration: locking)
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
            let busy = try await client.send(.put, "/v1/users/u1", json: #"{"country": "BR"}"#)
            #expect(busy.status == .serviceUnavailable && busy.errorCode == "busy")
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            #expect(try await client.send(.get, "/v1/users/u1").object["country"] as? String != "BR")
            #expect(try await client.send(.put, "/v1/users/u1", json: #"{"country": "BR"}"#).object["country"] as? String == "BR")
        }
    }
}
