extension Feed {
    /// The feed as `statusctl feed` prints it and the HTTP API serves it:
    /// `{"viewer", "at", "items": [...], "muted": [...]}`. `items` is the tap-through order:
    /// author groups `{"type": "author", "author", "section": "recent"|"viewed", "first_unseen",
    /// "posts": [...]}`; `muted` holds the muted authors' groups (`"section": "muted"`). Each post:
    /// `{"id", "kind", "created_at", "expires_at", "seen"}`, then `text`, `background`, `font` for
    /// text posts or `caption`, `width`, `height` (and `duration_s`) for photos and videos, then
    /// `renditions` {`display`, `thumb`, and for a video `video` (the original file)}:
    /// {`blob`, `type`, `bytes`, `width`, `height`}.
    public var json: JSONValue {
        .object([
            ("viewer", .string(viewer.rawValue)), ("at", .string(at.iso8601)),
            ("items", .array(groups.map(\.json))), ("muted", .array(muted.map(\.json))),
        ])
    }
}

extension FeedGroup {
    /// One author item of a feed.
    public var json: JSONValue {
        .object([
            ("type", .string("author")), ("author", .string(author.rawValue)), ("section", .string(section.rawValue)),
            ("first_unseen", .int(firstUnseen)), ("posts", .array(entries.map { $0.post.feedJSON(seen: $0.seen) })),
        ])
    }
}

extension Post {
    /// A post as a viewer gets it: no audience, moderation state or image original.
    public func feedJSON(seen: Bool? = nil, views: Int?? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id.rawValue)), ("kind", .string(kind.rawValue)),
            ("created_at", .string(createdAt.iso8601)), ("expires_at", .string(expiresAt.iso8601)),
        ]
        if let seen { members.append(("seen", .bool(seen))) }
        if let views { members.append(("views", views.map { .int($0) } ?? .null)) }
        if let text {
            members += [("text", .string(text.text)), ("background", .string(text.background)), ("font", .int(text.font))]
        } else {
            members.append(("caption", caption.map { .string($0) } ?? .null))
        }
        if let media {
            members += [("width", .int(media.width)), ("height", .int(media.height))]
            if let duration = media.durationMilliseconds { members.append(("duration_s", .double(Double(duration) / 1000))) }
        }
        var renditions: [(String, JSONValue)] = []
        for blob in blobs {
            let name: String
            switch blob.role {
            case .display, .thumb: name = blob.role.rawValue
            case .original where kind == .video: name = "video"
            case .original: continue
            }
            var file: [(String, JSONValue)] = [("blob", .string(blob.id.rawValue)), ("type", .string(blob.contentType)),
                                               ("bytes", .int(Int(blob.bytes)))]
            if let width = blob.width ?? (blob.role == .original ? media?.width : nil),
               let height = blob.height ?? (blob.role == .original ? media?.height : nil) {
                file += [("width", .int(width)), ("height", .int(height))]
            }
            renditions.append((name, .object(file)))
        }
        members.append(("renditions", .object(renditions)))
        return .object(members)
    }
}

extension Array where Element == OwnStatus {
    /// `statusctl my-status`: `{"author", "at", "posts": [post as in a feed, with "views"]}`.
    public func json(author: UserID, at now: Timestamp) -> JSONValue {
        .object([
            ("author", .string(author.rawValue)), ("at", .string(now.iso8601)),
            ("posts", .array(map { $0.post.feedJSON(views: .some($0.views)) })),
        ])
    }
}
