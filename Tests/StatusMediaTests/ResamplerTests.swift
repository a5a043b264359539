import Testing
@testable import StatusMedia

@Suite struct ResamplerTests {
    @Test func flatColourStaysExactlyFlat() {
        let image = makeImage(width: 301, height: 207) { _, _ in (18, 140, 126) }
        let small = Resampler.resize(image, width: 97, height: 31)
        #expect(small.width == 97 && small.height == 31)
        for y in 0..<small.height {
            for x in 0..<small.width { #expect(small.pixel(x: x, y: y) == (18, 140, 126)) }
        }
    }

    /// A one-pixel black/white checkerboard has no detail that survives a 7.3× reduction:
    /// a proper filter gives even grey; nearest-neighbour or a narrow kernel gives moiré.
    @Test func fineDetailAveragesInsteadOfAliasing() {
        let board = makeImage(width: 730, height: 730) { x, y in (x + y) % 2 == 0 ? (255, 255, 255) : (0, 0, 0) }
        let small = Resampler.resize(board, width: 100, height: 100)
        var lo = 255, hi = 0
        for y in 2..<98 {
            for x in 2..<98 {
                let v = Int(small.pixel(x: x, y: y).r)
                lo = min(lo, v); hi = max(hi, v)
            }
        }
        #expect(hi - lo <= 4, "grey varies from \(lo) to \(hi)")
        #expect(abs((lo + hi) / 2 - 128) <= 4)
    }

    /// Stripes of period 3 px would alias into a false coarse pattern when point-sampled.
    @Test func stripesDoNotAlias() {
        let stripes = makeImage(width: 999, height: 20) { x, _ in x % 3 == 0 ? (255, 0, 0) : (0, 0, 255) }
        let small = Resampler.resize(stripes, width: 111, height: 20)
        for x in 3..<108 {
            let p = small.pixel(x: x, y: 10)
            #expect(abs(Int(p.r) - 85) <= 6 && abs(Int(p.b) - 170) <= 6, "column \(x): \(p)")
        }
    }

    @Test func edgesStaySharpAndInPlace() {
        // Left half black, right half white: after halving, the edge is still at the middle.
        let image = makeImage(width: 200, height: 10) { x, _ in x < 100 ? (0, 0, 0) : (255, 255, 255) }
        let half = Resampler.resize(image, width: 100, height: 10)
        #expect(half.pixel(x: 45, y: 5).r <= 2)
        #expect(half.pixel(x: 54, y: 5).r >= 253)
        #expect(abs(Int(half.pixel(x: 49, y: 5).r) + Int(half.pixel(x: 50, y: 5).r) - 255) <= 40)
    }

    @Test(arguments: [(1, 1), (1, 500), (640, 1), (3, 2)])
    func extremeSizes(target: (Int, Int)) {
        let image = makeImage(width: 640, height: 500) { x, y in (UInt8(x % 256), UInt8(y % 256), 7) }
        let out = Resampler.resize(image, width: target.0, height: target.1)
        #expect(out.width == target.0 && out.height == target.1)
        #expect(out.pixels.count == target.0 * target.1 * 3)
    }

    @Test func fitKeepsAspectAndNeverUpscales() {
        #expect(ImageProcessor.fit((100, 50), inside: (1080, 1920)) == (100, 50))
        #expect(ImageProcessor.fit((4000, 3000), inside: (1080, 1920)) == (1080, 810))
        #expect(ImageProcessor.fit((3000, 4000), inside: (1080, 1920)) == (1080, 1440))
        #expect(ImageProcessor.fit((1000, 9000), inside: (1080, 1920)) == (213, 1920))
        #expect(ImageProcessor.fit((30000, 20), inside: (320, 320)) == (320, 1))
    }
}
