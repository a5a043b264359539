import StatusCore
import StatusStore

extension Post {
    /// The post as printed by `statusctl post` and `show`, keys in this order: `id`, `author`,
    /// `kind`, `created_at`, `expires_at` (ISO 8601 UTC), `state`, `held`, `audience`
    /// {`mode`, `list`}, then `text`, `background`, `font` for text posts or `caption`, `format`,
    /// `width`, `height` (and `duration_s`) for photos and videos, then `renditions`
    /// {role: {`blob`, `type`, `bytes`, `width`, `height`}} and, once taken down, `takedown`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id.rawValue)), ("author", .string(author.rawValue)), ("kind", .string(kind.rawValue)),
            ("created_at", .string(createdAt.iso8601)), ("expires_at", .string(expiresAt.iso8601)),
            ("state", .string(state.rawValue)), ("held", .bool(held)),
            ("audience", .object([("mode", .string(audience.mode.rawValue)),
                                  ("list", .array(audience.list.map { .string($0.rawValue) }))])),
        ]
        if let text {
            members += [("text", .string(text.text)), ("background", .string(text.background)), ("font", .int(text.font))]
        } else {
            members.append(("caption", caption.map { .string($0) } ?? .null))
        }
        if let media {
            members += [("format", .string(media.format)), ("width", .int(media.width)), ("height", .int(media.height))]
            if let duration = media.durationMilliseconds { members.append(("duration_s", .double(Double(duration) / 1000))) }
        }
        members.append(("renditions", .object(blobs.map { blob in
            var file: [(String, JSONValue)] = [("blob", .string(blob.id.rawValue)), ("type", .string(blob.contentType)),
                                               ("bytes", .int(Int(blob.bytes)))]
            if let width = blob.width, let height = blob.height { file += [("width", .int(width)), ("height", .int(height))] }
            return (blob.role.rawValue, .object(file))
        })))
        if let takedown {
            members.append(("takedown", .object([("reason", .string(takedown.reason)), ("moderator", .string(takedown.moderator)),
                                                 ("at", .string(takedown.at.iso8601))])))
        }
        return .object(members)
    }
}

extension User {
    /// The user as printed by `statusctl users show`, in the import format's field names.
    public var json: JSONValue {
        .object([
            ("id", .string(id.rawValue)), ("country", country.map { .string($0) } ?? .null),
            ("language", language.map { .string($0) } ?? .null), ("birth_year", birthYear.map { .int($0) } ?? .null),
            ("contacts", .array(contacts.map { .string($0.rawValue) })), ("blocked", .array(blocked.map { .string($0.rawValue) })),
            ("privacy", .object([("mode", .string(privacy.mode.rawValue)), ("list", .array(privacy.list.map { .string($0.rawValue) }))])),
            ("ads", .bool(ads)), ("read_receipts", .bool(readReceipts)),
        ])
    }
}

extension AuditEntry {
    /// One line of `statusctl audit`: `seq`, `at`, `action`, `actor`, `post`, `reason`, `detail`.
    public var json: JSONValue {
        .object([
            ("seq", .int(Int(sequence))), ("at", .string(at.iso8601)), ("action", .string(action.rawValue)),
            ("actor", .string(actor)), ("post", post.map { .string($0.rawValue) } ?? .null),
            ("reason", reason.map { .string($0) } ?? .null), ("detail", detail.map { .string($0) } ?? .null),
        ])
    }
}

extension PurgeSummary {
    /// `{"posts", "files", "bytes", "dry_run"}`.
    public var json: JSONValue {
        .object([("posts", .int(posts)), ("files", .int(files)), ("bytes", .int(Int(bytes))), ("dry_run", .bool(dryRun))])
    }
}

extension ReconcileReport {
    /// `{"orphan_files": [ids], "orphan_bytes", "missing_files": [ids], "stale_temporary_files",
    /// "miscounted_blobs", "fixed", "clean"}`.
    public var json: JSONValue {
        .object([
            ("orphan_files", .array(orphanFiles.map { .string($0.rawValue) })), ("orphan_bytes", .int(Int(orphanBytes))),
            ("missing_files", .array(missingFiles.map { .string($0.rawValue) })),
            ("stale_temporary_files", .int(staleTemporaryFiles)), ("miscounted_blobs", .int(miscountedBlobs)),
            ("fixed", .bool(fixed)), ("clean", .bool(isClean)),
        ])
    }
}

extension StoreError {
    /// `{"error": {"code", "message"}}`.
    public var json: JSONValue {
        .object([("error", .object([("code", .string(code.rawValue)), ("message", .string(message))]))])
    }
}
