// Benchmarks for StatusMedia's ImageProcessor.
//
//   cd Benchmarks && swift package benchmark --target MediaBenchmarks
//
// Inputs are generated at setup, not checked in: a 4000×3000 photo-like picture (gradients, soft
// shapes, texture and seeded noise) encoded with cjpeg at quality 90, a 2000×2000 ImageMagick
// plasma PNG, and a hand-built ~1 KiB PNG whose header claims 100000×100000 pixels.
// Needs /usr/bin/cjpeg (libjpeg-turbo-progs) and ImageMagick's convert (scripts/bootstrap).

import Benchmark
import Foundation
import StatusMedia

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 30
    )

    let processor = ImageProcessor(configuration: .default)

    Benchmark("render 12MP JPEG (display+thumb)") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(try processor.render(bytes))
        }
    } setup: {
        try Inputs.photoJPEG()
    }

    Benchmark("render 2000x2000 PNG") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(try processor.render(bytes))
        }
    } setup: {
        try Inputs.plasmaPNG()
    }

    Benchmark(
        "reject PNG bomb 100000x100000",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
            warmupIterations: 10,
            maxDuration: .seconds(2),
            maxIterations: 10_000
        )
    ) { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try processor.inspect(bytes))
                benchmark.error("the PNG bomb was accepted")
            } catch let error as MediaError where error.code == .tooManyPixels {
                blackHole(error)
            } catch {
                benchmark.error("the PNG bomb was refused with \(error), not too_many_pixels")
            }
        }
    } setup: {
        Inputs.pngBomb(width: 100_000, height: 100_000)
    }

    Benchmark(
        "inspect 12MP JPEG header",
        configuration: .init(
            warmupIterations: 10,
            maxDuration: .seconds(2),
            maxIterations: 10_000
        )
    ) { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(try processor.inspect(bytes))
        }
    } setup: {
        try Inputs.photoJPEG()
    }
}

// MARK: - Inputs

enum InputError: Error, CustomStringConvertible {
    case toolFailed(String, Int32)

    var description: String {
        switch self {
        case let .toolFailed(command, status): "\(command) exited with status \(status)"
        }
    }
}

enum Inputs {
    /// The 12 MP JPEG, made once per process (both JPEG benchmarks share it).
    static func photoJPEG() throws -> [UInt8] {
        try photoJPEGResult.get()
    }

    private static let photoJPEGResult = Result {
        try encodeWithCJPEG(PhotoLikeImage.make(width: 4000, height: 3000, seed: 0x5EED_2024), quality: 90)
    }

    /// A 2000×2000 ImageMagick plasma (a cloudy, photo-like texture) saved as an RGB PNG.
    static func plasmaPNG() throws -> [UInt8] {
        try withTemporaryDirectory { dir in
            let png = dir.appendingPathComponent("plasma.png")
            try run("/usr/bin/convert", [
                "-size", "2000x2000", "-seed", "7", "plasma:fractal",
                "-type", "TrueColor", "-depth", "8", "-strip", "PNG24:" + png.path,
            ])
            return try [UInt8](Data(contentsOf: png))
        }
    }

    /// A small but valid-looking PNG whose IHDR claims `width`×`height` 8-bit RGB pixels. The IDAT
    /// holds the zlib-compressed first rows only; nothing should read that far.
    static func pngBomb(width: UInt32, height: UInt32) -> [UInt8] {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = bigEndian(width) + bigEndian(height)
        ihdr += [8, 2, 0, 0, 0] // depth 8, colour type 2 (RGB), deflate, adaptive filter, no interlace
        png += chunk("IHDR", ihdr)
        // A zlib stream of stored (uncompressed) deflate blocks of zero bytes, ~900 bytes in all.
        var idat: [UInt8] = [0x78, 0x01]
        let zeros = [UInt8](repeating: 0, count: 896)
        idat += [0x01] + littleEndian16(UInt16(zeros.count)) + littleEndian16(~UInt16(zeros.count)) + zeros
        idat += bigEndian(adler32(zeros))
        png += chunk("IDAT", idat)
        png += chunk("IEND", [])
        return png
    }

    // MARK: Helpers

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(CRC32.checksum(typeBytes + data))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    private static func littleEndian16(_ v: UInt16) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8(v >> 8)]
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static func encodeWithCJPEG(_ image: PhotoLikeImage, quality: Int) throws -> [UInt8] {
        try withTemporaryDirectory { dir in
            let ppm = dir.appendingPathComponent("photo.ppm")
            let jpeg = dir.appendingPathComponent("photo.jpg")
            var file = Data(Array("P6\n\(image.width) \(image.height)\n255\n".utf8))
            image.pixels.withUnsafeBufferPointer { file.append($0) }
            try file.write(to: ppm)
            file = Data()
            try run("/usr/bin/cjpeg", ["-quality", String(quality), "-optimize", "-outfile", jpeg.path, ppm.path])
            return try [UInt8](Data(contentsOf: jpeg))
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw InputError.toolFailed(([executable] + arguments).joined(separator: " "), process.terminationStatus)
        }
    }

    private static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("media-benchmarks-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }
}

/// CRC-32 (ISO-HDLC, as PNG uses it), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0 ..< 256).map { n in
        var c = UInt32(n)
        for _ in 0 ..< 8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}

/// A deterministic synthetic "photo": a sky-to-ground gradient, low-frequency colour waves, a few
/// soft-edged discs and boxes, mid-frequency texture and seeded noise. At JPEG quality 90 it
/// compresses like a camera picture (about 0.7 bytes per pixel), unlike a flat test card.
struct PhotoLikeImage {
    /// Interleaved 8-bit RGB, row-major, no padding.
    var pixels: [UInt8]
    var width: Int
    var height: Int

    static func make(width: Int, height: Int, seed: UInt64) -> PhotoLikeImage {
        var rng = SplitMix64(seed: seed)
        let w = Double(width), h = Double(height)

        // Separable low- and mid-frequency terms, precomputed per column and per row.
        func wave(_ n: Int, _ length: Double, _ periods: [Double], _ rng: inout SplitMix64) -> [[Double]] {
            let phases = periods.map { _ in rng.nextUnit() * 2 * .pi }
            return (0 ..< 3).map { channel in
                (0 ..< n).map { i in
                    var v = 0.0
                    for (k, p) in periods.enumerated() {
                        v += sin(Double(i) / length * p * 2 * .pi + phases[k] + Double(channel)) / Double(k + 1)
                    }
                    return v
                }
            }
        }
        let colWave = wave(width, w, [0.7, 2.3, 5.1, 37, 181], &rng)
        let rowWave = wave(height, h, [0.5, 1.9, 4.3, 29, 157], &rng)

        struct Shape { var cx, cy, rx, ry: Double; var colour: (Double, Double, Double); var round: Bool }
        let shapes: [Shape] = (0 ..< 14).map { _ in
            Shape(cx: rng.nextUnit() * w, cy: rng.nextUnit() * h,
                  rx: (0.03 + rng.nextUnit() * 0.15) * w, ry: (0.03 + rng.nextUnit() * 0.15) * h,
                  colour: (rng.nextUnit() * 255, rng.nextUnit() * 255, rng.nextUnit() * 255),
                  round: rng.nextUnit() < 0.6)
        }

        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let horizon = 0.45 + rng.nextUnit() * 0.1
        pixels.withUnsafeMutableBufferPointer { out in
            var row = [Double](repeating: 0, count: width * 3)
            for y in 0 ..< height {
                let fy = Double(y) / h
                // Sky (blue to pale) above the horizon, ground (green-brown) below.
                let sky = fy < horizon
                let t = sky ? fy / horizon : (fy - horizon) / (1 - horizon)
                let base: (Double, Double, Double) = sky
                    ? (70 + 120 * t, 120 + 90 * t, 200 + 40 * t)
                    : (90 - 40 * t, 110 - 50 * t, 50 - 20 * t)
                for x in 0 ..< width {
                    for c in 0 ..< 3 {
                        let b = c == 0 ? base.0 : c == 1 ? base.1 : base.2
                        let low = 18 * (colWave[c][x] + rowWave[c][y])
                        let texture = 6 * colWave[(c + 1) % 3][x] * rowWave[(c + 2) % 3][y]
                        row[x * 3 + c] = b + low + texture
                    }
                }
                for s in shapes where abs(Double(y) - s.cy) < s.ry {
                    let dy = (Double(y) - s.cy) / s.ry
                    let x0 = max(0, Int(s.cx - s.rx)), x1 = min(width, Int(s.cx + s.rx) + 1)
                    guard x0 < x1 else { continue }
                    for x in x0 ..< x1 {
                        let dx = (Double(x) - s.cx) / s.rx
                        let d = s.round ? (dx * dx + dy * dy).squareRoot() : max(abs(dx), abs(dy))
                        guard d < 1 else { continue }
                        let alpha = min(1, (1 - d) * 12) * 0.85 // soft edge
                        let shade = 1 - 0.35 * d // a little shading towards the rim
                        let colour = [s.colour.0, s.colour.1, s.colour.2]
                        for c in 0 ..< 3 {
                            row[x * 3 + c] += alpha * (colour[c] * shade - row[x * 3 + c])
                        }
                    }
                }
                let offset = y * width * 3
                for i in 0 ..< width * 3 {
                    // Sensor-like noise: the sum of three uniforms is close enough to Gaussian.
                    let noise = (rng.nextUnit() + rng.nextUnit() + rng.nextUnit() - 1.5) * 9
                    out[offset + i] = UInt8(clamping: Int((row[i] + noise).rounded()))
                }
            }
        }
        return PhotoLikeImage(pixels: pixels, width: width, height: height)
    }
}

/// SplitMix64: tiny, fast, and the same sequence on every platform.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
