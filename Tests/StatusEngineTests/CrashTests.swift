import Foundation
import StatusCore
import StatusStore
import Testing

/// Kills a publishing-and-purging `statusctl stress` process with SIGKILL at random moments, and
/// after every kill checks what a crash may never break: the database passes its integrity check,
/// every post whose publish was acknowledged is there with all its files, and, at the end,
/// `reconcile --fix` leaves no orphan file. `STATUS_CRASH_KILLS` sets the number of kills
/// (default 50); docs/RELIABILITY-style longer runs set it higher.
@Suite(.serialized) struct CrashTests {
    @Test func everyAcknowledgedPostSurvivesSIGKILLWithItsFiles() async throws {
        let kills = Int(ProcessInfo.processInfo.environment["STATUS_CRASH_KILLS"] ?? "") ?? 50
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("status-crash-\(UUID().uuidString)").path
        let ack = data + ".ack"
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: ack)
        }
        let at = "2026-11-25T10:00:00Z"
        let image = images.appendingPathComponent("jpeg-baseline.jpg").path
        var generator = SystemRandomNumberGenerator()
        var killedMidWork = 0

        for round in 1...kills {
            let process = Process()
            process.executableURL = Statusctl.executable
            process.arguments = ["stress", "--ack", ack, "--image", image, "--data", data, "--at", at]
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "STATUS_ENGINE_CONFIG")
            process.environment = environment
            process.currentDirectoryURL = repositoryRoot
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let delay = Double.random(in: 0.05...0.9, using: &generator)
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedMidWork += 1
            }
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the stress process ended by itself: \(stderr)")

            try await checkAfterCrash(data: data, ack: ack, round: round)
        }
        #expect(killedMidWork == kills)

        // reconcile --fix (as an operator would run it, two hours later so temporary files are stale).
        let fixed = try Statusctl.run(["reconcile", "--fix", "--data", data, "--at", Timestamp(seconds: Timestamp.now().seconds + 7_200).iso8601])
        #expect(fixed.status == 0, "\(fixed.stdout) \(fixed.stderr)")
        let store = try SQLiteStatusStore(directory: data)
        let after = try await store.reconcile(fix: false, at: Timestamp.now() + 7_200)
        #expect(after.isClean, "after reconcile --fix: \(after)")
        #expect(after.orphanFiles.isEmpty)
        #expect(try await store.integrityCheck().isEmpty)
        // The loop did publish and purge: there is something to check.
        let acknowledged = try acknowledgements(ack)
        #expect(acknowledged.filter(\.keep).count >= kills / 2, "too few posts were acknowledged to prove anything")
    }

    struct Acknowledgement {
        var id: PostID
        var keep: Bool
    }

    /// Complete lines of the acknowledgement file (the last one may have been cut by the kill).
    func acknowledgements(_ path: String) throws -> [Acknowledgement] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let raw = object["id"] as? String, let id = PostID(rawValue: raw), let keep = object["keep"] as? Bool else { return nil }
            return Acknowledgement(id: id, keep: keep)
        }
    }

    func checkAfterCrash(data: String, ack: String, round: Int) async throws {
        let store = try SQLiteStatusStore(directory: data)
        let findings = try await store.integrityCheck()
        #expect(findings.isEmpty, "round \(round): integrity check: \(findings)")
        for entry in try acknowledgements(ack) {
            let post = try await store.post(entry.id)
            if entry.keep {
                #expect(post != nil, "round \(round): acknowledged post \(entry.id) is missing")
            }
            // Live or expired-but-not-yet-purged, a stored post has every file it names.
            for blob in post?.blobs ?? [] {
                let path = data + "/blobs/" + blob.id.rawValue.prefix(2) + "/" + blob.id.rawValue
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
                #expect(size == Int(blob.bytes), "round \(round): post \(entry.id)'s \(blob.role) file is missing or short")
            }
        }
    }
}
