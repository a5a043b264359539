import Foundation
import Testing

/// Runs the real `statusctl` binary built beside the tests and checks its output contract.
struct Statusctl {
    static let executable: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL,
            repositoryRoot.appendingPathComponent(".build/debug"),
        ]
        for dir in candidates {
            let url = dir.appendingPathComponent("statusctl")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/statusctl")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Each stdout line parsed as a JSON object.
        var lines: [[String: Any]] {
            stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> Result {
        try runTool(executable.path, arguments, environment: environment, in: directory)
    }

    /// Runs any program the same way (the crash and terminal tests run statusctl through others).
    static func runTool(_ path: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "STATUS_ENGINE_CONFIG")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = directory ?? repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

let images = repositoryRoot.appendingPathComponent("fixtures/images")

@Suite(.serialized) struct StatusctlTests {
    @Test func checkPrintsOneJSONLinePerFileInOrderAndExitsOne() throws {
        let files = ["jpeg-orientation-6.jpg", "not-an-image.txt", "png-rgba-8.png", "bomb-png-100000x100000.png",
                     "corrupt-jpeg-truncated.jpg", "/nonexistent/file.jpg"]
        let paths = files.map { $0.hasPrefix("/") ? $0 : images.appendingPathComponent($0).path }
        let result = try Statusctl.run(["media", "check"] + paths)
        #expect(result.status == 1)
        let lines = result.lines
        #expect(lines.count == files.count, "\(result.stdout)")
        guard lines.count == files.count else { return }
        #expect(lines.map { $0["file"] as? String } == paths)
        #expect(lines.map { $0["ok"] as? Bool } == [true, false, true, false, false, false])
        #expect(lines[0]["kind"] as? String == "image")
        #expect(lines[0]["format"] as? String == "jpeg")
        #expect(lines[0]["orientation"] as? Int == 6)
        #expect(lines[0]["width"] as? Int == 64 && lines[0]["height"] as? Int == 48)
        #expect(lines[2]["format"] as? String == "png")
        func code(_ i: Int) -> String? { (lines[i]["error"] as? [String: Any])?["code"] as? String }
        #expect(code(1) == "unsupported_format")
        #expect(code(3) == "too_many_pixels")
        #expect(code(4) == "corrupt")
        #expect(code(5) == "unreadable")
        #expect((lines[4]["error"] as? [String: Any])?["message"] as? String != nil)
    }

    @Test func checkExitsZeroWhenAllPass() throws {
        let result = try Statusctl.run(["media", "check", images.appendingPathComponent("jpeg-baseline.jpg").path,
                                        images.appendingPathComponent("png-gray-16-adam7.png").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.count == 2)
    }

    @Test func renderWritesBothRenditionsPerFile() throws {
        let out = try temporaryDirectory().appendingPathComponent("nested/out")
        let files = ["jpeg-orientation-8.jpg", "png-palette-trns.png"]
        let result = try Statusctl.run(["media", "render"] + files.map { images.appendingPathComponent($0).path } + ["--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.count == 2)
        for (name, line) in zip(files, result.lines) {
            let renditions = try #require(line["renditions"] as? [String: [String: Any]])
            for kind in ["display", "thumb"] {
                let path = out.appendingPathComponent("\(name).\(kind).jpg").path
                #expect(renditions[kind]?["path"] as? String == path)
                let bytes = try #require(FileManager.default.contents(atPath: path))
                #expect(bytes.count == renditions[kind]?["bytes"] as? Int)
                #expect(bytes.prefix(3) == Data([0xFF, 0xD8, 0xFF]))
            }
        }
    }

    @Test func renderRefusesDuplicateNamesAsUsageError() throws {
        let a = try temporaryDirectory(), b = try temporaryDirectory()
        for dir in [a, b] {
            try FileManager.default.copyItem(at: images.appendingPathComponent("jpeg-baseline.jpg"),
                                             to: dir.appendingPathComponent("same.jpg"))
        }
        let result = try Statusctl.run(["media", "render", a.appendingPathComponent("same.jpg").path,
                                        b.appendingPathComponent("same.jpg").path, "--out", a.path])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("same.jpg"))
    }

    @Test func configFlagAndEnvironmentApply() throws {
        let dir = try temporaryDirectory()
        let config = dir.appendingPathComponent("tight.json")
        try Data(#"{"media": {"image": {"max_pixels": 100}}}"#.utf8).write(to: config)
        let file = images.appendingPathComponent("jpeg-baseline.jpg").path
        let viaFlag = try Statusctl.run(["media", "check", "--config", config.path, file])
        #expect(viaFlag.status == 1)
        #expect((viaFlag.lines.first?["error"] as? [String: Any])?["code"] as? String == "too_many_pixels")
        let viaEnv = try Statusctl.run(["media", "check", file], environment: ["STATUS_ENGINE_CONFIG": config.path])
        #expect(viaEnv.status == 1)
        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"media": {"imgae": {}}}"#.utf8).write(to: bad)
        let badResult = try Statusctl.run(["media", "check", "--config", bad.path, file])
        #expect(badResult.status == 78)
        #expect(badResult.stdout.isEmpty)
        #expect(badResult.stderr.contains("imgae"))
    }

    @Test func tableFormatForPeople() throws {
        let result = try Statusctl.run(["media", "check", "--format", "table", images.appendingPathComponent("jpeg-baseline.jpg").path])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("FILE\tRESULT"))
        #expect(result.stdout.contains("jpeg-baseline.jpg\tok\tjpeg\t64x48"))
    }

    @Test func videosShareTheContractAndFFmpegStaysQuiet() throws {
        let video = repositoryRoot.appendingPathComponent("fixtures/video")
        let files = ["mp4-rotated-90.mp4", "mp4-corrupt-moov.mp4", "m4a-audio-only.m4a"].map { video.appendingPathComponent($0).path }
        let out = try temporaryDirectory()
        let result = try Statusctl.run(["media", "render"] + files + ["--out", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty, "FFmpeg printed: \(result.stderr)")
        let lines = result.lines
        #expect(lines.count == 3)
        guard lines.count == 3 else { return }
        #expect(lines[0]["kind"] as? String == "video")
        #expect(lines[0]["video_codec"] as? String == "h264")
        #expect(lines[0]["rotation"] as? Int == 90)
        #expect(lines[0]["width"] as? Int == 64 && lines[0]["height"] as? Int == 96)
        #expect(lines[0]["audio_codec"] is NSNull)
        #expect((lines[0]["duration_s"] as? Double).map { abs($0 - 3) < 0.2 } == true)
        #expect(lines[0]["poster_s"] as? Double != nil)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("mp4-rotated-90.mp4.thumb.jpg").path))
        let moov = lines[1]["error"] as? [String: Any]
        #expect(moov?["code"] as? String == "corrupt")
        #expect((moov?["message"] as? String)?.contains("FFmpeg") == true)
        #expect((lines[2]["error"] as? [String: Any])?["code"] as? String == "no_video_stream")
        // With --verbose FFmpeg's own messages reach standard error; stdout stays JSON.
        let verbose = try Statusctl.run(["media", "check", "--verbose", files[1]])
        #expect(!verbose.stderr.isEmpty)
        #expect(verbose.lines.count == 1)
    }

    @Test func renderTextWritesTwoPicturesAndOneLine() throws {
        let out = try temporaryDirectory()
        let result = try Statusctl.run(["media", "render-text", "--text", "صباح الخير ☀️", "--background", "#FFD700",
                                        "--font", "4", "--out", out.path, "--name", "morning"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.lines.first)
        #expect(line["kind"] as? String == "text")
        #expect(line["ok"] as? Bool == true)
        #expect(line["text_colour"] as? String == "#000000")
        #expect((line["contrast"] as? Double ?? 0) >= 4.5)
        #expect(line["unknown_glyphs"] as? Int == 0)
        #expect(line["font_family"] as? String == "Noto Kufi Arabic")
        let renditions = try #require(line["renditions"] as? [String: [String: Any]])
        #expect(renditions["display"]?["path"] as? String == out.appendingPathComponent("morning.display.png").path)
        #expect(renditions["thumb"]?["width"] as? Int == 320)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("morning.thumb.png").path))

        let refused = try Statusctl.run(["media", "render-text", "--text", "hi", "--background", "teal", "--out", out.path])
        #expect(refused.status == 1)
        #expect((refused.lines.first?["error"] as? [String: Any])?["code"] as? String == "bad_colour")
        let long = try Statusctl.run(["media", "render-text", "--text", String(repeating: "ب", count: 701), "--out", out.path])
        #expect((long.lines.first?["error"] as? [String: Any])?["code"] as? String == "text_too_long")
    }

    @Test func usageErrors() throws {
        #expect(try Statusctl.run(["media", "check"]).status == 64)
        #expect(try Statusctl.run(["media", "render", images.appendingPathComponent("jpeg-baseline.jpg").path]).status == 64)
        #expect(try Statusctl.run(["media", "check", "--format", "xml", "x"]).status == 64)
    }
}
