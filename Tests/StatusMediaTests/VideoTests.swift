import Foundation
import Testing
@testable import StatusMedia

let videoFixtures = fixturesDirectory.deletingLastPathComponent().appendingPathComponent("video")

func videoFixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: videoFixtures.appendingPathComponent(name)))
}

/// Every video fixture judged against `fixtures/video/expected.json`.
@Suite struct VideoFixtureTests {
    let processor = MediaProcessor()

    struct Expectation: Decodable {
        var ok: Bool
        var format: String?
        var video_codec: String?
        var audio_codec: String?
        var width: Int?
        var height: Int?
        var rotation: Int?
        var duration_s: Double?
        var fps: Double?
        var error: String?
        var poster_min_s: Double?
    }

    static let expectations = loadExpectations(videoFixtures, as: Expectation.self)

    @Test func expectationsCoverTheFixtures() {
        #expect(Self.expectations.count >= 20)
    }

    @Test(arguments: expectations.keys.sorted())
    func fixtureIsJudgedAsExpected(_ name: String) throws {
        let expected = try #require(Self.expectations[name])
        let bytes = try videoFixture(name)
        guard expected.ok else {
            do {
                _ = try processor.render(bytes)
                Issue.record("\(name) accepted, expected \(expected.error ?? "?")")
            } catch let error as MediaError {
                #expect(error.code.rawValue == expected.error, "\(name): \(error)")
            }
            return
        }
        let rendered = try processor.render(bytes)
        let info = rendered.info
        let video = try #require(info.video)
        #expect(info.kind == .video)
        #expect(info.format.rawValue == expected.format)
        #expect(video.videoCodec == expected.video_codec)
        #expect(video.audioCodec == expected.audio_codec)
        #expect(info.width == expected.width && info.height == expected.height, "\(name): \(info.width)×\(info.height)")
        #expect(video.rotation == expected.rotation)
        if let duration = expected.duration_s { #expect(abs(video.durationSeconds - duration) <= 0.15, "\(name): \(video.durationSeconds)") }
        if let fps = expected.fps { #expect(abs(video.framesPerSecond - fps) <= 0.5, "\(name): \(video.framesPerSecond)") }
        // Renditions: the display keeps the displayed aspect, fits the boxes, and is a real picture.
        #expect(rendered.display.width <= 1080 && rendered.display.height <= 1920)
        #expect(rendered.thumb.width <= 320 && rendered.thumb.height <= 320)
        #expect((rendered.display.width > rendered.display.height) == (info.width > info.height))
        let poster = try decodeJPEG(rendered.display.bytes)
        if let minimum = expected.poster_min_s {
            #expect((video.posterSeconds ?? 0) >= minimum - 0.01, "\(name): poster at \(video.posterSeconds ?? -1)")
            #expect(Self.spread(poster) > 10, "\(name): the poster is flat")
        }
        if name != "mp4-all-black.mp4" { #expect(Self.spread(poster) > 10, "\(name): the poster is flat") }
    }

    /// Standard deviation of the grey level.
    static func spread(_ image: RGBImage) -> Double {
        var sum = 0.0, squares = 0.0
        let n = image.width * image.height
        for i in 0..<n {
            let y = (Double(image.pixels[i * 3]) + Double(image.pixels[i * 3 + 1]) + Double(image.pixels[i * 3 + 2])) / 3
            sum += y; squares += y * y
        }
        let mean = sum / Double(n)
        return max(0, squares / Double(n) - mean * mean).squareRoot()
    }

    /// A rotated clip's poster is the unrotated clip's poster turned the way the display matrix says.
    @Test(arguments: [90, 180, 270])
    func rotationIsAppliedToThePoster(_ degrees: Int) throws {
        let plain = try processor.render(try videoFixture("mp4-no-audio.mp4"))
        let turned = try processor.render(try videoFixture("mp4-rotated-\(degrees).mp4"))
        let rotation = try #require(turned.info.video?.rotation)
        let orientation: Orientation = [90: .right, 180: .down, 270: .left][rotation] ?? .up
        let expected = try decodeJPEG(plain.display.bytes).applying(orientation)
        let got = try decodeJPEG(turned.display.bytes)
        #expect(got.width == expected.width && got.height == expected.height)
        if got.width == expected.width && got.height == expected.height {
            #expect(meanAbsoluteDifference(got, expected) < 12)
        }
    }

    @Test func blackOpeningIsSkippedForThePoster() throws {
        let rendered = try processor.render(try videoFixture("mp4-black-then-content.mp4"))
        let poster = try #require(rendered.info.video?.posterSeconds)
        #expect(poster >= 1.49 && poster <= 3.0)
        #expect(Self.spread(try decodeJPEG(rendered.display.bytes)) > 10)
        // An all-black clip still gets a poster (the best there is), not an error.
        let black = try processor.render(try videoFixture("mp4-all-black.mp4"))
        #expect(Self.spread(try decodeJPEG(black.display.bytes)) < 3)
    }

    /// Opening a file (read as needed) and opening its bytes give the same answers.
    @Test(arguments: ["mp4-rotated-90.mp4", "webm-vp9-opus.webm", "gif-animation.gif", "mp4-truncated.mp4",
                      "mp4-lies-short.mp4", "raw-h264.h264", "mov-h264.mov"])
    func fileAndMemoryAgree(_ name: String) throws {
        let path = videoFixtures.appendingPathComponent(name).path
        func outcome(_ body: () throws -> RenderedMedia) -> String {
            do {
                let r = try body()
                return "\(r.info) \(r.display.bytes.count) \(r.thumb.bytes.count)"
            } catch let e as MediaError { return e.code.rawValue } catch { return "\(error)" }
        }
        let fromFile = outcome { try processor.render(file: path) }
        let fromMemory = outcome { try processor.render(try videoFixture(name)) }
        #expect(fromFile == fromMemory)
    }

    /// A path is a path: never a URL or another FFmpeg protocol, even with a colon in it.
    @Test func pathsAreNeverURLs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let odd = dir.appendingPathComponent("concat:clip.mp4")
        try FileManager.default.copyItem(at: videoFixtures.appendingPathComponent("mp4-h264-aac.mp4"), to: odd)
        #expect(try processor.check(file: odd.path).kind == .video)
        for url in ["http://127.0.0.1:9/x.mp4", "concat:a.mp4|b.mp4", "pipe:0"] {
            #expect(throws: MediaError.self) { try processor.check(file: url) }
        }
    }

    @Test func limitsComeFromConfiguration() throws {
        let bytes = try videoFixture("mp4-h264-aac.mp4")
        func code(_ configuration: MediaConfiguration) -> MediaError.Code? {
            do { _ = try MediaProcessor(configuration: configuration).check(bytes); return nil }
            catch let e as MediaError { return e.code } catch { return nil }
        }
        #expect(code(.init(video: .init(maxDurationSeconds: 2))) == .tooLong)
        #expect(code(.init(video: .init(maxFramesPerSecond: 5))) == .tooFast)
        #expect(code(.init(video: .init(maxLongSide: 64))) == .tooManyPixels)
        #expect(code(.init(video: .init(maxBytes: bytes.count - 1))) == .tooLarge)
        #expect(code(.init()) == nil)
    }

    @Test func truncationAtManyPointsIsRefusedNeverCrashes() throws {
        let bytes = try videoFixture("mp4-h264-aac.mp4")
        for fraction in stride(from: 0.05, to: 0.99, by: 0.07) {
            let cut = Array(bytes[..<Int(Double(bytes.count) * fraction)])
            do {
                _ = try processor.render(cut)
                Issue.record("a file cut at \(fraction) was accepted")
            } catch let error as MediaError {
                #expect([.corrupt, .unsupportedFormat, .noVideoStream].contains(error.code), "\(fraction): \(error)")
            }
        }
    }

    @Test func ffmpegMessagesAreFoldedIntoTheError() throws {
        do {
            _ = try processor.render(try videoFixture("mp4-corrupt-moov.mp4"))
            Issue.record("accepted")
        } catch let error as MediaError {
            #expect(error.code == .corrupt)
            #expect(error.message.count > 10)
        }
    }

    /// 200 renders of a clip: resident memory after warm-up stays flat, so every FFmpeg object
    /// (format and codec contexts, AVIO buffer, packets, frames, swscale contexts) is freed.
    /// Runs in a process of its own, so no other test's allocations blur the measurement.
    @Test(.disabled(if: ProcessInfo.processInfo.environment["STATUS_SANITIZER"] != nil,
                    "the address sanitizer holds freed memory in quarantine; its leak checker covers this there"))
    func twoHundredRendersKeepMemoryFlat() async {
        await #expect(processExitsWith: .success) {
            let bytes = try videoFixture("mp4-h264-aac.mp4")
            let processor = MediaProcessor()
            for _ in 0..<20 { _ = try processor.render(bytes) }
            let before = VideoFixtureTests.residentBytes()
            for _ in 0..<200 { _ = try processor.render(bytes) }
            let growth = VideoFixtureTests.residentBytes() - before
            if growth >= 4 << 20 {
                FileHandle.standardError.write(Data("resident memory grew by \(growth / 1024) KiB over 200 renders\n".utf8))
                exit(1)
            }
        }
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (Int(fields.count > 1 ? fields[1] : "0") ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
