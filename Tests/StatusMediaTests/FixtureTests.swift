import Foundation
import Testing
@testable import StatusMedia

/// Every checked-in fixture, judged against `fixtures/images/expected.json` and against the
/// lossless reference picture, pixel by pixel.
@Suite struct FixtureTests {
    let processor = ImageProcessor()

    struct Expectation: Decodable {
        var ok: Bool
        var format: String?
        var width: Int?
        var height: Int?
        var error: String?
    }

    static let expectations = loadExpectations(fixturesDirectory, as: Expectation.self)

    @Test func expectationsCoverTheFixtures() {
        #expect(Self.expectations.count >= 40)
    }

    @Test(arguments: expectations.keys.sorted())
    func fixtureIsJudgedAsExpected(_ name: String) throws {
        let expected = try #require(Self.expectations[name])
        let bytes = try fixture(name)
        if expected.ok {
            let info = try processor.check(bytes)
            #expect(info.format.rawValue == expected.format)
            #expect(info.width == expected.width && info.height == expected.height)
        } else {
            do {
                _ = try processor.check(bytes)
                Issue.record("\(name) accepted, expected \(expected.error ?? "?")")
            } catch let error as MediaError {
                #expect(error.code.rawValue == expected.error, "\(name): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
    }

    /// Colour fixtures decode to the reference picture; greyscale ones to its luminance.
    @Test(arguments: [
        ("png-rgb-8.png", 0.5), ("png-rgb-16.png", 1.0), ("png-rgb-8-adam7.png", 0.5),
        ("png-palette-8.png", 12.0), ("png-palette-4.png", 40.0),
        ("jpeg-baseline.jpg", 4.0), ("jpeg-progressive.jpg", 4.0),
        ("jpeg-cmyk-adobe.jpg", 8.0), ("jpeg-ycck-adobe.jpg", 8.0),
        ("png-rgb-8-orientation-6.png", 0.5),
    ])
    func decodesToTheReferencePicture(name: String, tolerance: Double) throws {
        let reference = try readPPM("reference-upright.ppm")
        let decoded = try processor.decodeUpright(try fixture(name))
        #expect(decoded.width == reference.width && decoded.height == reference.height)
        let difference = meanAbsoluteDifference(decoded, reference)
        #expect(difference <= tolerance, "\(name): mean difference \(difference)")
        // The green block stays green: guards against channel swaps and inverted CMYK.
        let p = decoded.pixel(x: 8, y: 6)
        #expect(p.g > 150 && p.r < 70 && p.b < 70, "\(name): green block is \(p)")
    }

    @Test(arguments: ["png-gray-8.png", "png-gray-16.png", "png-gray-16-adam7.png", "jpeg-gray.jpg", "png-gray-4.png"])
    func greyscaleDecodesToTheReferenceLuminance(_ name: String) throws {
        let reference = try readPPM("reference-upright.ppm")
        let decoded = try processor.decodeUpright(try fixture(name))
        var total = 0.0
        for y in 0..<reference.height {
            for x in 0..<reference.width {
                let r = reference.pixel(x: x, y: y), d = decoded.pixel(x: x, y: y)
                #expect(d.r == d.g && d.g == d.b)
                total += abs(luminance(r) - Double(d.r))
            }
        }
        let mean = total / Double(reference.width * reference.height)
        #expect(mean <= (name.contains("gray-4") ? 12 : 4), "\(name): mean luminance difference \(mean)")
    }

    /// Transparent pixels are flattened onto white; opaque ones keep their colour.
    @Test(arguments: ["png-rgba-8.png", "png-rgba-16.png", "png-palette-trns.png", "png-gray-alpha-8.png", "png-gray-alpha-16.png"])
    func alphaIsFlattenedOntoWhite(_ name: String) throws {
        let reference = try readPPM("reference-upright.ppm")
        let decoded = try processor.decodeUpright(try fixture(name))
        for y in 0..<decoded.height {
            #expect(decoded.pixel(x: 2, y: y) == (255, 255, 255), "\(name) row \(y)")
        }
        let right = reference.pixel(x: reference.width - 20, y: 5), got = decoded.pixel(x: decoded.width - 20, y: 5)
        if name.contains("gray") {
            let luma = Int(luminance(right))
            #expect(abs(Int(got.r) - luma) <= 4)
        } else {
            #expect(abs(Int(got.r) - Int(right.r)) <= 12 && abs(Int(got.b) - Int(right.b)) <= 12, "\(name): \(got) vs \(right)")
        }
    }

    /// Each of the eight orientations renders to the same upright thumbnail as orientation 1.
    @Test(arguments: 1...8)
    func orientedThumbnailMatchesTheUprightOne(_ orientation: Int) throws {
        let upright = try processor.render(try fixture("jpeg-orientation-1.jpg"))
        let oriented = try processor.render(try fixture("jpeg-orientation-\(orientation).jpg"))
        #expect(oriented.info.orientation.rawValue == orientation)
        #expect(oriented.info.width == 64 && oriented.info.height == 48)
        for (a, b) in [(upright.thumb, oriented.thumb), (upright.display, oriented.display)] {
            #expect(b.width == 64 && b.height == 48)
            let difference = meanAbsoluteDifference(try decodeJPEG(a.bytes), try decodeJPEG(b.bytes))
            #expect(difference < 5, "orientation \(orientation): mean difference \(difference)")
        }
        // And the upright one really is the reference (green top-left, white bottom-right).
        let d = try decodeJPEG(oriented.display.bytes)
        #expect(d.pixel(x: 6, y: 5).g > 150 && d.pixel(x: 6, y: 5).r < 80)
        #expect(d.pixel(x: 60, y: 44) .r > 230 && d.pixel(x: 60, y: 44).b > 230)
    }

    /// Renditions carry no EXIF (so no GPS) and no other application segment but JFIF.
    @Test(arguments: ["jpeg-orientation-6.jpg", "png-rgb-8-orientation-6.png", "jpeg-cmyk-adobe.jpg"])
    func renditionsCarryNoMetadata(_ name: String) throws {
        let input = try fixture(name)
        let rendered = try processor.render(input)
        for jpeg in [rendered.display.bytes, rendered.thumb.bytes] {
            var i = 2
            var segments: [UInt8] = []
            while i + 4 <= jpeg.count, jpeg[i] == 0xFF, jpeg[i + 1] != 0xDA {
                segments.append(jpeg[i + 1])
                i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
            }
            #expect(!segments.contains { (0xE1...0xEF).contains($0) }, "\(name): segments \(segments)")
            #expect(!contains(jpeg, Array("Exif".utf8)))
            #expect(!contains(jpeg, Array("Adobe".utf8)))
        }
        if name.hasPrefix("jpeg-orientation") { #expect(contains(input, Array("Exif".utf8))) }
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }

    func luminance(_ p: (r: UInt8, g: UInt8, b: UInt8)) -> Double {
        let r: Double = 0.299 * Double(p.r)
        let g: Double = 0.587 * Double(p.g)
        let b: Double = 0.114 * Double(p.b)
        return r + g + b
    }

    /// Display P3 pixels with their profile come out as the sRGB picture; without colour
    /// management the same pixels are visibly off (so the comparison can fail).
    @Test(arguments: [("jpeg-display-p3.jpg", 5.0), ("png-display-p3.png", 2.0)])
    func embeddedProfilesAreConvertedToSRGB(name: String, tolerance: Double) throws {
        let reference = try readPPM("reference-upright.ppm")
        let bytes = try fixture(name)
        let managed = try processor.decodeUpright(bytes)
        let difference = meanAbsoluteDifference(managed, reference)
        #expect(difference <= tolerance, "\(name): mean difference \(difference)")
        let raw = try bytes.withUnsafeBytes { buffer in
            let header = try processor.validatedHeader(buffer)
            #expect(header.iccProfile?.isEmpty == false)
            return try processor.decodeStored(buffer, header: header, atLeast: (header.width, header.height))
        }
        #expect(meanAbsoluteDifference(raw, reference) > difference + 5)
        let display = try decodeJPEG(try processor.render(bytes).display.bytes)
        #expect(meanAbsoluteDifference(display, reference) <= tolerance + 3)
    }

    @Test func smallImagesAreNeverUpscaled() throws {
        let rendered = try processor.render(try fixture("jpeg-baseline.jpg"))
        #expect((rendered.display.width, rendered.display.height) == (64, 48))
        #expect((rendered.thumb.width, rendered.thumb.height) == (64, 48))
    }

    /// The 30 MP all-zero PNG is within limits: it decodes (to black) rather than being refused.
    @Test func largeLegalPNGRendersToTheBoxes() throws {
        heavyMemoryLock.lock()
        defer { heavyMemoryLock.unlock() }
        let rendered = try processor.render(try fixture("bomb-png-zeros.png"))
        #expect(rendered.display.width <= 1080 && rendered.display.height <= 1920)
        #expect(rendered.thumb.width <= 320 && rendered.thumb.height <= 320)
        #expect(max(rendered.display.width, rendered.display.height) == 1080 || rendered.display.height == 1920)
        let thumb = try decodeJPEG(rendered.thumb.bytes)
        #expect(thumb.pixels.allSatisfy { $0 < 8 })
    }
}

@Suite struct ShrinkOnLoadTests {
    @Test func picksTheSmallestDCTScaleThatCoversTheTarget() {
        #expect(JPEGCodec.scaledSize(width: 4000, height: 3000, atLeast: (1080, 810)) == (1500, 1125))
        #expect(JPEGCodec.scaledSize(width: 4000, height: 3000, atLeast: (320, 240)) == (500, 375))
        #expect(JPEGCodec.scaledSize(width: 3000, height: 4000, atLeast: (1080, 1440)) == (1125, 1500))
        #expect(JPEGCodec.scaledSize(width: 1200, height: 900, atLeast: (1080, 810)) == (1200, 900))
        #expect(JPEGCodec.scaledSize(width: 64, height: 48, atLeast: (1, 1)) == (8, 6))
    }

    /// A large JPEG goes through DCT scaling and the resampler and still matches a plain
    /// full-size decode scaled the same way.
    @Test func shrunkOnLoadMatchesFullDecode() throws {
        heavyMemoryLock.lock()
        defer { heavyMemoryLock.unlock() }
        let big = makeImage(width: 2400, height: 1800) { x, y in
            (UInt8((x / 7) % 256), UInt8((y / 5) % 256), UInt8(((x + y) / 11) % 256))
        }
        let jpeg = try JPEGCodec.encode(big, quality: 92)
        let processor = ImageProcessor()
        let rendered = try processor.render(jpeg)
        #expect((rendered.display.width, rendered.display.height) == (1080, 810))
        #expect((rendered.thumb.width, rendered.thumb.height) == (320, 240))
        let reference = Resampler.resize(try processor.decodeUpright(jpeg), width: 1080, height: 810)
        let difference = meanAbsoluteDifference(try decodeJPEG(rendered.display.bytes), reference)
        #expect(difference < 6, "mean difference \(difference)")
    }
}
