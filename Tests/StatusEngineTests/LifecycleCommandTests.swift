import Foundation
import StatusStore
import Testing

/// The lifecycle commands through the real binary: JSON on stdout, exit statuses as documented.
@Suite(.serialized) struct LifecycleCommandTests {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("status-cli-\(UUID().uuidString)").path
    let at = "2026-11-25T10:00:00Z"

    func statusctl(_ arguments: [String], environment: [String: String] = [:]) throws -> Statusctl.Result {
        try Statusctl.run(arguments + ["--data", data], environment: environment)
    }

    func json(_ result: Statusctl.Result) throws -> [String: Any] {
        try #require(result.lines.last, "stdout: \(result.stdout) stderr: \(result.stderr)")
    }

    /// The database the commands left behind must pass its integrity check.
    func expectSoundDatabase() async throws {
        let findings = try await SQLiteStatusStore(directory: data).integrityCheck()
        #expect(findings.isEmpty, "integrity check: \(findings)")
    }

    @Test func aPostsWholeLifeThroughTheCommandLine() async throws {
        defer { try? FileManager.default.removeItem(atPath: data) }
        let users = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: users) }
        try """
            {"id": "a", "contacts": ["v", "w"], "read_receipts": true}
            {"id": "v", "contacts": ["a"]}
            {"id": "w", "contacts": ["a"], "country": "Egypt"}
            """.write(to: users, atomically: true, encoding: .utf8)

        let imported = try statusctl(["users", "import", users.path, "--at", at])
        #expect(imported.status == 1)
        let report = try json(imported)
        #expect(report["applied"] as? Int == 2 && report["rejected"] as? Int == 1)
        #expect(imported.stderr.contains(":3: country"))

        let published = try statusctl(["post", "--author", "a", "--text", "صباح الخير", "--background", "#075E54", "--at", at])
        #expect(published.status == 0, "\(published.stderr)")
        let post = try json(published)
        let id = try #require(post["id"] as? String)
        #expect(post["created_at"] as? String == at)
        #expect(post["expires_at"] as? String == "2026-11-26T10:00:00Z")
        #expect((post["renditions"] as? [String: Any])?.keys.sorted() == ["display", "thumb"])

        let photo = try statusctl(["post", "--author", "a", "--media", images.appendingPathComponent("jpeg-baseline.jpg").path,
                                   "--caption", "a photo", "--at", at])
        #expect(photo.status == 0, "\(photo.stderr)")
        #expect((try json(photo)["renditions"] as? [String: Any])?.keys.sorted() == ["display", "original", "thumb"])

        let refused = try statusctl(["post", "--author", "a", "--media", images.appendingPathComponent("corrupt-jpeg-truncated.jpg").path])
        #expect(refused.status == 1)
        #expect((try json(refused)["error"] as? [String: Any])?["code"] as? String == "corrupt")

        #expect(try json(try statusctl(["view", "--viewer", "v", "--post", id, "--at", at]))["outcome"] as? String == "recorded")
        let late = try statusctl(["view", "--viewer", "v", "--post", id, "--at", "2026-11-26T10:00:00Z"])
        #expect(late.status == 1)
        #expect((try json(late)["error"] as? [String: Any])?["code"] as? String == "not_visible")
        let viewers = try json(try statusctl(["viewers", "--post", id]))
        #expect((viewers["viewers"] as? [[String: Any]])?.map { $0["viewer"] as? String } == ["v"])

        #expect(try statusctl(["mute", "--viewer", "v", "--author", "a"]).status == 0)
        #expect(try statusctl(["unmute", "--viewer", "v", "--author", "a"]).status == 0)

        let down = try statusctl(["takedown", "--post", id, "--reason", "spam", "--moderator", "m1", "--at", at])
        #expect(down.status == 0)
        #expect(try json(down)["state"] as? String == "taken_down")
        let twice = try statusctl(["takedown", "--post", id, "--reason", "spam", "--moderator", "m1", "--at", at])
        #expect(twice.status == 1)

        let dry = try json(try statusctl(["purge", "--dry-run", "--at", "2026-11-27T00:00:00Z"]))
        #expect(dry["posts"] as? Int == 2 && dry["dry_run"] as? Bool == true)
        let purged = try statusctl(["purge", "--at", "2026-11-27T00:00:00Z"])
        #expect(purged.status == 0)
        #expect(try json(purged)["posts"] as? Int == 2)
        #expect(purged.stderr.isEmpty, "no progress bar when standard error is not a terminal")
        #expect(try json(try statusctl(["purge", "--at", "2026-11-27T00:00:00Z"]))["posts"] as? Int == 0)

        let audit = try statusctl(["audit"])
        #expect(audit.lines.map { $0["action"] as? String } == ["takedown", "purge"])

        let reconcile = try statusctl(["reconcile"])
        #expect(reconcile.status == 0)
        #expect(try json(reconcile)["clean"] as? Bool == true)
        #expect(try statusctl(["show", "--post", id]).status == 1)
        try await expectSoundDatabase()
    }

    @Test func purgeDrawsAProgressBarOnATerminalOnly() async throws {
        defer { try? FileManager.default.removeItem(atPath: data) }
        let users = data + ".users"
        defer { try? FileManager.default.removeItem(atPath: users) }
        try #"{"id": "a"}"#.write(toFile: users, atomically: true, encoding: .utf8)
        #expect(try statusctl(["users", "import", users]).status == 0)
        for n in 0..<3 {
            #expect(try statusctl(["post", "--author", "a", "--text", "post \(n)", "--at", at]).status == 0)
        }
        // script(1) gives the command a pseudo-terminal, as a person at a shell would.
        let command = [Statusctl.executable.path, "purge", "--data", data, "--at", "2026-11-30T00:00:00Z"]
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let result = try Statusctl.runTool("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("purge ["), "no progress bar in: \(result.stdout.debugDescription)")
        #expect(result.stdout.contains("3/3"))
        #expect(result.stdout.contains(#""posts":3"#))
        try await expectSoundDatabase()
    }

    @Test func dataDirectoryComesFromStatusDataAndTimesAreChecked() async throws {
        defer { try? FileManager.default.removeItem(atPath: data) }
        let other = data + "-env"
        defer { try? FileManager.default.removeItem(atPath: other) }
        let result = try Statusctl.run(["purge", "--dry-run"], environment: ["STATUS_DATA": other])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: other + "/status.sqlite"))

        #expect(try statusctl(["purge", "--at", "yesterday"]).status == 64)
        #expect(try statusctl(["purge", "--at", "1795600000"]).status == 0)
        #expect(try statusctl(["view", "--viewer", "v", "--post", "not-a-post"]).status == 64)
        let unknown = try statusctl(["show", "--post", "p00000000000000000000"])
        #expect(unknown.status == 1)
        #expect((try json(unknown)["error"] as? [String: Any])?["code"] as? String == "unknown_post")
        try await expectSoundDatabase()
    }

    @Test func aDamagedDatabaseExitsSixtyFiveAndIsLeftAlone() throws {
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let garbage = Data(repeating: 0x5A, count: 4096)
        _ = FileManager.default.createFile(atPath: data + "/status.sqlite", contents: garbage)
        let result = try statusctl(["purge"])
        #expect(result.status == 65)
        #expect((try json(result)["error"] as? [String: Any])?["code"] as? String == "corrupt_database")
        #expect(FileManager.default.contents(atPath: data + "/status.sqlite") == garbage)
    }
}
