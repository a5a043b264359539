import Foundation
import StatusEngine
import StatusStore
import Testing

/// `statusctl feed`, `my-status` and `demo seed` through the real binary.
@Suite(.serialized) struct FeedCommandTests {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("status-feed-cli-\(UUID().uuidString)").path
    let at = "2026-11-25T12:00:00Z"

    func statusctl(_ arguments: [String]) throws -> Statusctl.Result {
        try Statusctl.run(arguments + ["--data", data])
    }

    @Test func theFeedIsPrintedInTapThroughOrderWithMutedAuthorsApart() throws {
        defer { try? FileManager.default.removeItem(atPath: data) }
        let users = FileManager.default.temporaryDirectory.appendingPathComponent("feed-users-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: users) }
        try """
            {"id": "me", "contacts": ["amal", "badr", "dina", "eman"]}
            {"id": "amal", "contacts": ["me"]}
            {"id": "badr", "contacts": ["me"], "privacy": {"mode": "only_share_with", "list": ["someone"]}}
            {"id": "dina", "contacts": ["me"], "read_receipts": false}
            {"id": "eman", "contacts": ["me"]}
            """.write(to: users, atomically: true, encoding: .utf8)
        #expect(try statusctl(["users", "import", users.path]).status == 0)
        func post(_ author: String, _ text: String, _ time: String) throws -> String {
            let result = try statusctl(["post", "--author", author, "--text", text, "--at", time])
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(result.lines.last?["id"] as? String)
        }
        let a1 = try post("amal", "one", "2026-11-25T09:00:00Z")
        let a2 = try post("amal", "two", "2026-11-25T11:00:00Z")
        _ = try post("badr", "not for me", "2026-11-25T11:30:00Z")
        let d1 = try post("dina", "seen", "2026-11-25T11:45:00Z")
        _ = try post("eman", "muted", "2026-11-25T11:50:00Z")
        _ = try post("me", "mine", "2026-11-25T11:55:00Z")
        #expect(try statusctl(["view", "--viewer", "me", "--post", a1, "--at", at]).status == 0)
        #expect(try statusctl(["view", "--viewer", "me", "--post", d1, "--at", at]).status == 0)
        #expect(try statusctl(["mute", "--viewer", "me", "--author", "eman"]).status == 0)

        let result = try statusctl(["feed", "--viewer", "me", "--at", at])
        #expect(result.status == 0, "\(result.stderr)")
        let feed = try #require(result.lines.last)
        #expect(Set(feed.keys) == ["viewer", "at", "items", "muted"])
        #expect(feed["viewer"] as? String == "me" && feed["at"] as? String == at)
        let items = try #require(feed["items"] as? [[String: Any]])
        #expect(items.map { $0["author"] as? String } == ["amal", "dina"])
        #expect(items.map { $0["section"] as? String } == ["recent", "viewed"])
        #expect(items.map { $0["type"] as? String } == ["author", "author"])
        #expect(items[0]["first_unseen"] as? Int == 1)
        let posts = try #require(items[0]["posts"] as? [[String: Any]])
        #expect(posts.map { $0["id"] as? String } == [a1, a2])
        #expect(posts.map { $0["seen"] as? Bool } == [true, false])
        #expect(posts[1]["text"] as? String == "two" && posts[1]["expires_at"] as? String == "2026-11-26T11:00:00Z")
        #expect((posts[1]["renditions"] as? [String: Any])?.keys.sorted() == ["display", "thumb"])
        let muted = try #require(feed["muted"] as? [[String: Any]])
        #expect(muted.map { $0["author"] as? String } == ["eman"] && muted.first?["section"] as? String == "muted")

        // An hour before amal's second post it is not there yet; a day later everything is gone.
        let earlier = try #require(try statusctl(["feed", "--viewer", "me", "--at", "2026-11-25T10:00:00Z"]).lines.last)
        #expect(((earlier["items"] as? [[String: Any]])?.first?["posts"] as? [Any])?.count == 1)
        let later = try #require(try statusctl(["feed", "--viewer", "me", "--at", "2026-11-26T12:00:00Z"]).lines.last)
        #expect((later["items"] as? [Any])?.isEmpty == true && (later["muted"] as? [Any])?.isEmpty == true)

        let table = try statusctl(["feed", "--viewer", "me", "--at", at, "--format", "table"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("2 groups, 1 muted, 4 posts"))
        #expect(table.stdout.split(separator: "\n").dropFirst(2).first?.contains("recent") == true)

        let unknown = try statusctl(["feed", "--viewer", "nobody", "--at", at])
        #expect(unknown.status == 1)
        #expect((unknown.lines.last?["error"] as? [String: Any])?["code"] as? String == "unknown_user")
        #expect(try statusctl(["feed", "--viewer", "bad id!"]).status == 64)

        // The author's own posts, with views counted (dina's receipts are off: null).
        let mine = try #require(try statusctl(["my-status", "--author", "amal", "--at", at]).lines.last)
        #expect(((mine["posts"] as? [[String: Any]])?.map { $0["views"] as? Int }) == [1, 0])
        let hers = try #require(try statusctl(["my-status", "--author", "dina", "--at", at]).lines.last)
        #expect((hers["posts"] as? [[String: Any]])?.first?["views"] is NSNull)
    }

    @Test func demoSeedIsDeterministicAndItsFeedsFollowTheRule() async throws {
        defer { try? FileManager.default.removeItem(atPath: data) }
        let other = data + "-again"
        defer { try? FileManager.default.removeItem(atPath: other) }
        let seed = ["demo", "seed", "--users", "300", "--contacts", "20", "--seed", "5", "--at", at]
        let first = try statusctl(seed)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(first.lines.last)
        #expect(summary["users"] as? Int == 300)
        let kinds = try #require(summary["posts"] as? [String: Int])
        #expect(kinds.keys.sorted() == ["image", "text", "video"] && kinds.values.allSatisfy { $0 > 0 })
        #expect((summary["views"] as? Int ?? 0) > 0 && (summary["mutes"] as? Int ?? 0) > 0)
        let again = try Statusctl.run(seed + ["--data", other])
        #expect(again.status == 0)
        #expect(again.lines.last?["contacts"] as? Int == summary["contacts"] as? Int)

        // Same population: same feeds, post for post (ids aside, which are random).
        for viewer in ["u1", "u17", "u150", "u300"] {
            let a = try #require(try statusctl(["feed", "--viewer", viewer, "--at", at]).lines.last)
            let b = try #require(try Statusctl.run(["feed", "--viewer", viewer, "--at", at, "--data", other]).lines.last)
            func shape(_ feed: [String: Any]) -> [String] {
                ((feed["items"] as? [[String: Any]]) ?? []).map { group in
                    "\(group["author"] ?? "")/\(group["section"] ?? "")/" + ((group["posts"] as? [[String: Any]]) ?? [])
                        .map { "\($0["kind"] ?? "")@\($0["created_at"] ?? "")" }.joined(separator: ",")
                }
            }
            #expect(shape(a) == shape(b))
        }

        // Photos and videos come with their renditions (a video's original as "video"), never an
        // image's original.
        var kindsSeen = Set<String>()
        for n in stride(from: 1, through: 300, by: 7) {
            let feed = try #require(try statusctl(["feed", "--viewer", "u\(n)", "--at", at]).lines.last)
            for group in (feed["items"] as? [[String: Any]]) ?? [] {
                for post in (group["posts"] as? [[String: Any]]) ?? [] {
                    let kind = post["kind"] as? String ?? ""
                    kindsSeen.insert(kind)
                    let renditions = (post["renditions"] as? [String: Any])?.keys.sorted()
                    #expect(renditions == (kind == "video" ? ["display", "thumb", "video"] : ["display", "thumb"]))
                    if kind == "video" { #expect(post["duration_s"] is Double && post["width"] is Int) }
                }
            }
        }
        #expect(kindsSeen == ["text", "image", "video"])

        // Degrees spread around the mean; most contacts are mutual; every privacy mode is used.
        let store = try SQLiteStatusStore(directory: data)
        var degrees: [Int] = [], mutual = 0, total = 0
        var modes = Set<Audience.Mode>()
        var contactsOf: [UserID: Set<UserID>] = [:]
        for n in 0..<300 {
            let user = try #require(try await store.user(DemoPopulation.userID(n)))
            contactsOf[user.id] = Set(user.contacts)
            degrees.append(user.contacts.count)
            modes.insert(user.privacy.mode)
        }
        for (user, contacts) in contactsOf {
            for contact in contacts {
                total += 1
                if contactsOf[contact]?.contains(user) == true { mutual += 1 }
            }
        }
        let mean = Double(degrees.reduce(0, +)) / Double(degrees.count)
        #expect((14...26).contains(Int(mean)), "mean degree \(mean)")
        #expect(degrees.max()! > Int(mean * 1.5) && degrees.min()! < Int(mean * 0.7))
        #expect(Double(mutual) / Double(total) > 0.85)
        #expect(modes == Set(Audience.Mode.allCases))
        #expect(try await store.integrityCheck().isEmpty)
    }
}
