import Foundation
@testable import StatusMedia

/// The repository's fixtures/images folder, found from this file's path.
let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures/images")

func fixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixturesDirectory.appendingPathComponent(name)))
}

/// Reads a binary PPM (P6, maxval 255).
func readPPM(_ name: String) throws -> RGBImage {
    let bytes = try fixture(name)
    var fields: [String] = []
    var i = 0
    while fields.count < 4 {
        while bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        if bytes[i] == UInt8(ascii: "#") { while bytes[i] != 0x0A { i += 1 }; continue }
        var field = ""
        while !(bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09) {
            field.append(Character(UnicodeScalar(bytes[i]))); i += 1
        }
        fields.append(field)
    }
    i += 1
    let w = Int(fields[1])!, h = Int(fields[2])!
    return RGBImage(width: w, height: h, pixels: Array(bytes[i..<(i + w * h * 3)]))
}

/// Mean absolute difference per channel between two images of the same size (0–255).
func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height, "sizes differ: \(a.width)×\(a.height) vs \(b.width)×\(b.height)")
    var total = 0
    for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(total) / Double(a.pixels.count)
}

/// Decodes a JPEG rendition back to pixels (full size) for checking.
func decodeJPEG(_ bytes: [UInt8]) throws -> RGBImage {
    try ImageProcessor(configuration: .init(image: .init(minSide: 1))).decodeUpright(bytes)
}

/// A synthetic image from a per-pixel function.
func makeImage(width: Int, height: Int, _ f: (Int, Int) -> (UInt8, UInt8, UInt8)) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            let (r, g, b) = f(x, y)
            let i = (y * width + x) * 3
            image.pixels[i] = r; image.pixels[i + 1] = g; image.pixels[i + 2] = b
        }
    }
    return image
}

/// Taken by tests that allocate a lot and by the test that measures resident memory, so the
/// measurement does not see another test's 90 MB picture come and go.
let heavyMemoryLock = NSLock()

/// A fixture folder's `expected.json`: file name → what the engine should say about it.
func loadExpectations<Expectation: Decodable>(_ folder: URL, as type: Expectation.Type) -> [String: Expectation] {
    guard let data = try? Data(contentsOf: folder.appendingPathComponent("expected.json")) else { return [:] }
    return (try? JSONDecoder().decode([String: Expectation].self, from: data)) ?? [:]
}
