import Testing
@testable import StatusMedia

@Suite struct OrientationTests {
    /// An asymmetric 3×2 image: each pixel's red channel is its index.
    let stored = makeImage(width: 3, height: 2) { x, y in (UInt8(y * 3 + x), 0, 0) }

    func reds(_ image: RGBImage) -> [[Int]] {
        (0..<image.height).map { y in (0..<image.width).map { x in Int(image.pixel(x: x, y: y).r) } }
    }

    @Test func allEightOrientations() {
        // stored:  0 1 2
        //          3 4 5
        #expect(reds(stored.applying(.up)) == [[0, 1, 2], [3, 4, 5]])
        #expect(reds(stored.applying(.upMirrored)) == [[2, 1, 0], [5, 4, 3]])
        #expect(reds(stored.applying(.down)) == [[5, 4, 3], [2, 1, 0]])
        #expect(reds(stored.applying(.downMirrored)) == [[3, 4, 5], [0, 1, 2]])
        #expect(reds(stored.applying(.leftMirrored)) == [[0, 3], [1, 4], [2, 5]])
        #expect(reds(stored.applying(.right)) == [[3, 0], [4, 1], [5, 2]])
        #expect(reds(stored.applying(.rightMirrored)) == [[5, 2], [4, 1], [3, 0]])
        #expect(reds(stored.applying(.left)) == [[2, 5], [1, 4], [0, 3]])
    }

    @Test func exifParsingBothByteOrders() {
        let little: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        let big: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0]
        #expect(little.withUnsafeBytes { EXIF.orientation(tiff: $0) } == .right)
        #expect(big.withUnsafeBytes { EXIF.orientation(tiff: $0) } == .left)
    }

    @Test func damagedExifIsIgnored() {
        let cases: [[UInt8]] = [
            [],
            [0x49, 0x49, 42, 0],
            [0x49, 0x49, 42, 0, 0xFF, 0xFF, 0xFF, 0x7F], // IFD offset far past the end
            [0x49, 0x49, 42, 0, 8, 0, 0, 0, 0xFF, 0xFF], // 65535 entries claimed, none present
            [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 9, 0], // value 9
        ]
        for bytes in cases { #expect(bytes.withUnsafeBytes { EXIF.orientation(tiff: $0) } == nil) }
    }
}
