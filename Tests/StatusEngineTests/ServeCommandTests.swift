import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `statusctl serve` as a real process on a loopback port: logs on standard error only, feeds
/// over HTTP, and a graceful stop on SIGTERM that records the ads it served before it exits 0.
@Suite(.serialized) struct ServeCommandTests {
    @Test func servesFeedsLogsRequestsAndSettlesItsAdsOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let config = directory.appendingPathComponent("engine.json").path
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: repositoryRoot.appendingPathComponent("config/engine.json"))) as! [String: Any]
        let digest = try Statusctl.run(["serve", "--print-digest", "serve-test-token"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest.count == 64)
        settings["server"] = ["tokens": ["feed": [digest], "adops": [digest]]]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config))
        #expect(try Statusctl.run(["demo", "seed", "--users", "80", "--contacts", "20", "--data", data, "--config", config]).status == 0)
        #expect(try Statusctl.run(["ads", "load", "fixtures/ads/demo.json", "--data", data, "--config", config]).status == 0)

        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = Statusctl.executable
        process.arguments = ["serve", "--port", String(port), "--data", data, "--config", config]
        process.currentDirectoryURL = repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<200 where !up {
            up = (try? await Self.get(base + "/health"))?.status == 200
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(up, "the server did not answer /health")
        var ads = 0
        for n in 1...30 {
            let answer = try await Self.get(base + "/v1/feed/u\(n)", token: "serve-test-token")
            #expect(answer.status == 200)
            let items = (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            ads += items.filter { $0["type"] as? String == "ad" }.count
        }
        #expect(ads > 0, "no feed had an ad")
        #expect(try await Self.get(base + "/v1/feed/u1").status == 401)

        process.interrupt()  // SIGINT; SIGTERM is handled alike
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stdout.isEmpty, "logs go to standard error: \(stdout.prefix(300))")
        #expect(stderr.components(separatedBy: "http.route=/v1/feed/{viewer}").count - 1 == 31)
        #expect(stderr.contains("hb.request.id="))

        // Every ad it served was recorded before it exited.
        let report = try Statusctl.run(["ads", "report", "--data", data, "--config", config, "--format", "json"])
        let rows = (try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]]) ?? []
        #expect(rows.reduce(0) { $0 + ($1["served"] as? Int ?? 0) } == ads, "\(report.stdout)")
        // And its budget leases were given back: what campaigns have spent is what those ads cost.
        let list = try Statusctl.run(["ads", "list", "--data", data, "--config", config])
        let campaigns = list.lines
        #expect(campaigns.count == 3, "\(list.stdout)")
        #expect(campaigns.reduce(0) { $0 + ($1["spent_micros"] as? Int ?? -1) } == rows.reduce(0) { $0 + ($1["spend_micros"] as? Int ?? 0) })
    }

    static func get(_ url: String, token: String? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.timeoutInterval = 10
        let (body, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
    }
}
