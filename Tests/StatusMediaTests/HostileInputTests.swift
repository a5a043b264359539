import Foundation
import Testing
@testable import StatusMedia

/// Inputs built in the test itself: bombs, lies in headers, truncation and garbage.
@Suite struct HostileInputTests {
    let processor = ImageProcessor()

    func code(_ body: () throws -> Void) -> MediaError.Code? {
        do { try body(); return nil } catch let e as MediaError { return e.code } catch { return nil }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let body = Array(type.utf8) + data
        return be(UInt32(data.count)) + body + be(crc32(body))
    }

    static func pngHeader(width: UInt32, height: UInt32, depth: UInt8 = 8, colourType: UInt8 = 2) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", be(width) + be(height) + [depth, colourType, 0, 0, 0])
    }

    /// A PNG claiming 100000×100000 in a few hundred bytes is refused from its header alone.
    @Test func pngBombRefusedFromHeader() {
        let bomb = Self.pngHeader(width: 100_000, height: 100_000)
            + Self.chunk("IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]) + Self.chunk("IEND", [])
        #expect(code { _ = try processor.inspect(bomb) } == .tooManyPixels)
        #expect(code { _ = try processor.check(bomb) } == .tooManyPixels)
        #expect(code { _ = try processor.render(bomb) } == .tooManyPixels)
    }

    @Test func jpegClaimingHugeFrameRefusedFromHeader() throws {
        var jpeg = try JPEGCodec.encode(makeImage(width: 16, height: 16) { x, y in (UInt8(x * 16), UInt8(y * 16), 0) }, quality: 90)
        // Patch SOF0's height and width to 65500.
        let sof = try #require(jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xFF; jpeg[sof + 6] = 0xDC; jpeg[sof + 7] = 0xFF; jpeg[sof + 8] = 0xDC
        #expect(code { _ = try processor.render(jpeg) } == .tooManyPixels)
    }

    @Test func limitsComeFromConfiguration() throws {
        let jpeg = try JPEGCodec.encode(makeImage(width: 200, height: 100) { _, _ in (1, 2, 3) }, quality: 90)
        #expect(code { _ = try ImageProcessor(configuration: .init(image: .init(maxPixels: 19_999))).check(jpeg) } == .tooManyPixels)
        #expect(code { _ = try ImageProcessor(configuration: .init(image: .init(maxBytes: jpeg.count - 1))).check(jpeg) } == .tooLarge)
        #expect(code { _ = try ImageProcessor(configuration: .init(image: .init(minSide: 101))).check(jpeg) } == .tooSmall)
        #expect(try ImageProcessor(configuration: .init(image: .init(maxBytes: jpeg.count, maxPixels: 20_000, minSide: 100))).check(jpeg).width == 200)
    }

    @Test func tooLargeFileIsRefusedBeforeReading() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 1 << 40) // a sparse 1 TiB file: reading it would take forever
        try handle.close()
        #expect(code { _ = try MediaFileReader.read(path: url.path, limit: 16 << 20) } == .tooLarge)
        #expect(code { _ = try MediaFileReader.read(path: "/", limit: 16 << 20) } == .unreadable)
    }

    @Test func truncatedJPEGIsCorruptAtEveryCut() throws {
        var seed: UInt64 = 42
        let noisy = makeImage(width: 96, height: 64) { x, y in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (UInt8(x * 2), UInt8(truncatingIfNeeded: seed >> 56), UInt8(y * 3))
        }
        let jpeg = try JPEGCodec.encode(noisy, quality: 95)
        _ = try processor.check(jpeg)
        let sos = try #require(jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        // Every cut from just after the scan header to just before EOI is refused, never half-grey.
        for cut in stride(from: sos + 20, to: jpeg.count - 2, by: max(1, (jpeg.count - sos) / 40)) {
            let short = Array(jpeg[..<cut])
            #expect(code { _ = try processor.check(short) } == .corrupt, "cut at \(cut) of \(jpeg.count)")
            #expect(code { _ = try processor.render(short) } == .corrupt, "cut at \(cut) of \(jpeg.count)")
        }
        // Cuts inside the header are corrupt too.
        for cut in [3, 10, 20, sos] {
            #expect(code { _ = try processor.check(Array(jpeg[..<cut])) } == .corrupt, "cut at \(cut)")
        }
    }

    /// libpng only warns about a damaged ancillary chunk and drops it; warnings count as errors.
    @Test func pngWarningsAreErrors() throws {
        let good = try fixture("png-rgb-8.png")
        _ = try processor.check(good)
        var text = Self.chunk("tEXt", Array("Comment\0hello".utf8))
        text[text.count - 1] ^= 0xFF // break its CRC
        let afterIHDR = 8 + 25
        let damaged = Array(good[..<afterIHDR]) + text + Array(good[afterIHDR...])
        do {
            _ = try processor.check(damaged)
            Issue.record("a PNG with a damaged tEXt chunk was accepted")
        } catch let error as MediaError {
            #expect(error.code == .corrupt)
            #expect(error.message.contains("tEXt"), "\(error.message)")
        }
    }

    @Test func randomGarbageAfterMagicNeverCrashes() {
        var seed: UInt64 = 7
        func next() -> UInt8 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 56)
        }
        let prefixes: [[UInt8]] = [[0xFF, 0xD8, 0xFF], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
                                   Self.pngHeader(width: 64, height: 64)]
        for prefix in prefixes {
            for length in [0, 1, 7, 100, 3000] {
                let bytes = prefix + (0..<length).map { _ in next() }
                let result = code { _ = try processor.render(bytes) }
                #expect(result == .corrupt || result == .tooManyPixels || result == .tooSmall, "\(String(describing: result))")
            }
        }
    }

    @Test func unsupportedFormatsNamedInTheMessage() throws {
        let gif = Array("GIF89a".utf8) + [16, 0, 16, 0, 0, 0, 0]
        do {
            _ = try processor.check(gif)
            Issue.record("GIF accepted")
        } catch let e as MediaError {
            #expect(e.code == .unsupportedFormat)
            #expect(e.message.contains("GIF"))
        }
        #expect(code { _ = try processor.check([]) } == .unsupportedFormat)
        #expect(code { _ = try processor.check(Array("hello".utf8)) } == .unsupportedFormat)
    }

    @Test func workPoolRunsOffTheCallersThread() async throws {
        let pool = MediaWorkPool(threads: 2)
        let places = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await pool.run { MediaWorkPool.isPoolThread } } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(places == Array(repeating: true, count: 8))
        #expect(!MediaWorkPool.isPoolThread)
        await #expect(throws: MediaError.self) {
            try await pool.run { throw MediaError(.corrupt, "boom") }
        }
    }
}
