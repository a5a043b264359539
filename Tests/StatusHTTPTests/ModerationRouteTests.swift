import Foundation
import Hummingbird
import HummingbirdTesting
import StatusEngine
import StatusHTTP
import Testing

/// The moderators' routes: takedown, hold and release, purge, reconcile, the audit log.
@Suite(.serialized) struct ModerationRouteTests {
    static let at = Harness.at

    /// Live posts in u1's feed at the harness time.
    static func posts(_ client: Client) async throws -> [String] {
        let feed = try await client.send(.get, "/v1/feed/u1?at=\(at)")
        return (feed.object["items"] as? [[String: Any]] ?? []).flatMap { ($0["posts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
    }

    @Test func takedownsHoldsAndReleasesAreAuditedAndConflictsRefused() async throws {
        try await Harness.with { _, client in
            let posts = try await Self.posts(client)
            try #require(posts.count >= 2)
            let action = #"{"moderator": "mona", "reason": "spam", "at": "\#(Self.at)"}"#
            let taken = try await client.send(.post, "/v1/moderation/posts/\(posts[0])/takedown", as: .moderator, json: action)
            #expect(taken.status == .ok && taken.object["state"] as? String == "taken_down")
            let again = try await client.send(.post, "/v1/moderation/posts/\(posts[0])/takedown", as: .moderator, json: action)
            #expect(again.status == .conflict && again.errorCode == "conflict")
            #expect(try await Self.posts(client).contains(posts[0]) == false, "gone from the feed at once")

            let held = try await client.send(.post, "/v1/moderation/posts/\(posts[1])/hold", as: .moderator, json: #"{"moderator": "mona"}"#)
            #expect(held.status == .ok && held.object["held"] as? Bool == true)
            let released = try await client.send(.post, "/v1/moderation/posts/\(posts[1])/release", as: .moderator, json: #"{"moderator": "mona", "reason": "cleared"}"#)
            #expect(released.status == .ok && released.object["held"] as? Bool == false)
            #expect(try await client.send(.post, "/v1/moderation/posts/\(posts[1])/release", as: .moderator, json: #"{"moderator": "mona"}"#).status == .conflict)

            // A NUL would cut the audit log's text short in SQLite (found by scripts/adversarial).
            for (body, status) in [(#"{"reason": "spam"}"#, HTTPResponse.Status.badRequest), (#"{"moderator": " ", "reason": "spam"}"#, .unprocessableContent),
                                   (#"{"moderator": "mo\u0000na", "reason": "spam"}"#, .unprocessableContent),
                                   (#"{"moderator": "mona", "reason": "spam\u0000 and more"}"#, .unprocessableContent),
                                   (#"{"moderator": "mona"}"#, .badRequest), (#"{"moderator": "mona", "reason": "x", "hold": "yes"}"#, .badRequest)] {
                #expect(try await client.send(.post, "/v1/moderation/posts/\(posts[1])/takedown", as: .moderator, json: body).status == status, "\(body)")
            }
            #expect(try await client.send(.post, "/v1/moderation/posts/pzzzzzzzzzzzzzzzzzzzz/takedown", as: .moderator, json: action).status == .notFound)
            #expect(try await client.send(.post, "/v1/moderation/posts/nonsense/hold", as: .moderator, json: action).status == .badRequest)

            let audit = try await client.send(.get, "/v1/moderation/audit", as: .moderator)
            let entries = audit.object["entries"] as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["action"] as? String } == ["takedown", "hold", "release"])
            let next = try #require(audit.object["next"] as? Int)
            let page = try await client.send(.get, "/v1/moderation/audit?after=\(next)&limit=5", as: .moderator)
            #expect((page.object["entries"] as? [Any])?.isEmpty == true && page.object["next"] as? Int == next)
            #expect(try await client.send(.get, "/v1/moderation/audit?limit=0", as: .moderator).status == .badRequest)
        }
    }

    @Test func purgeRemovesExpiredPostsAndReconcileStaysClean() async throws {
        try await Harness.with { harness, client in
            let later = "2026-11-27T12:00:00Z"
            let dry = try await client.send(.post, "/v1/moderation/purge", as: .moderator, json: #"{"dry_run": true, "at": "\#(later)"}"#)
            let planned = try #require(dry.object["posts"] as? Int)
            #expect(planned > 0 && dry.object["dry_run"] as? Bool == true)
            let purge = try await client.send(.post, "/v1/moderation/purge", as: .moderator, json: #"{"at": "\#(later)", "batch": 50}"#)
            #expect(purge.status == .ok && purge.object["posts"] as? Int == planned)
            let nothing = try await client.send(.post, "/v1/moderation/purge", as: .moderator)
            #expect(nothing.status == .ok && nothing.object["posts"] as? Int == 0, "a purge without a body purges at the current time")
            #expect(try await client.send(.post, "/v1/moderation/purge", as: .moderator, json: #"{"batch": 0}"#).status == .unprocessableContent)
            // null is not a value of an optional field: leave the field out.
            #expect(try await client.send(.post, "/v1/moderation/purge", as: .moderator, json: #"{"at": null}"#).errorCode == "bad_json")
            let reconcile = try await client.send(.get, "/v1/moderation/reconcile", as: .moderator)
            #expect(reconcile.status == .ok && reconcile.object["clean"] as? Bool == true && reconcile.object["fixed"] as? Bool == false)
            let metrics = try await client.send(.get, "/metrics", as: nil)
            #expect(metrics.text.contains("status_purged_posts_total"))
            _ = harness
        }
    }
}
