// Benchmarks for StatusMedia's ImageProcessor and VideoProcessor.
//
//   cd Benchmarks && swift package benchmark --target MediaBenchmarks
//
// Inputs are generated at setup, not checked in: a 4000×3000 photo-like picture (gradients, soft
// shapes, texture and seeded noise) encoded with cjpeg at quality 90 (3.4 MB), a 2000×2000
// ImageMagick plasma PNG, a hand-built 964-byte PNG whose header claims 100000×100000 pixels, and
// a 60 s 1920×1080 30 fps H.264 + AAC clip (about 40 MB) made with ffmpeg — the one that
// scripts/compare-video caches in var/compare-video/clip.mp4, reused from there when present
// (making it takes about a minute on 2 cores).
// Needs /usr/bin/cjpeg (libjpeg-turbo-progs), ImageMagick's convert and /usr/bin/ffmpeg
// (scripts/bootstrap).

import Benchmark
import Foundation
import StatusMedia

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 50
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
        "render 60s 1080p H.264 video (probe+poster+thumb)",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
            warmupIterations: 1,
            maxDuration: .seconds(30),
            maxIterations: 15
        )
    ) { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(try VideoProcessor(configuration: .default).render(bytes))
        }
    } setup: {
        try Inputs.videoClip()
    }

    // Header-only work takes well under a microsecond: each sample is 1000 calls and results are
    // per call. No cpuTotal: the process CPU clock ticks in 10 ms, far coarser than a header read.
    let headerOnly = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    Benchmark(
        "reject PNG bomb 100000x100000",
        configuration: headerOnly
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
        configuration: headerOnly
    ) { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(try processor.inspect(bytes))
        }
    } setup: {
        try Inputs.photoJPEG()
    }

    // Text posts: Pango + Cairo layout with size fitting, both renditions, PNG encoding.
    let texts = TextRenderer(configuration: .default)
    Benchmark("render text post: short Arabic") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try texts.render(text: "صباح الخير يا أصدقاء ☀️", background: "#128C7E", font: 3))
        }
    }

    Benchmark("render text post: 700 characters mixed") { benchmark in
        let sentence = "Status تختفي بعد 24 ساعة — updates vanish after a day 😀 "
        let text = String(String(repeating: sentence, count: 20).prefix(700))
        for _ in benchmark.scaledIterations {
            blackHole(try texts.render(text: text, background: "#1F6FEB", font: 0))
        }
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

    /// The 60 s 1080p H.264 + AAC clip of scripts/compare-video: its cached copy in
    /// var/compare-video/clip.mp4 when there is one, else made here with /usr/bin/ffmpeg using the
    /// same settings (keep the two in step; the script's GENERATOR line names them).
    static func videoClip() throws -> [UInt8] {
        let sourceRoot = URL(fileURLWithPath: #filePath) // …/Benchmarks/Benchmarks/MediaBenchmarks/this file
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let cached = [
            sourceRoot.appendingPathComponent("var/compare-video/clip.mp4").path,
            "../var/compare-video/clip.mp4", // relative to the benchmark package
        ]
        if let path = cached.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return try withTemporaryDirectory { dir in
            let clip = dir.appendingPathComponent("clip.mp4")
            try run("/usr/bin/ffmpeg", [
                "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "60", "-map", "0:v", "-map", "1:a",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "60", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart",
                clip.path,
            ])
            return try [UInt8](Data(contentsOf: clip))
        }
    }

    /// A 2000×2000 ImageMagick plasma (a cloudy, photo-like texture) saved as an RGB PNG.
    static func plasmaPNG() throws -> [UInt8] {
        try withTemporaryDirectory { dir in
            let png = dir.appendingPathComponent("plasma.png")
            try run("convert", [
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
            try run("cjpeg", ["-quality", String(quality), "-optimize", "-outfile", jpeg.path, ppm.path])
            return try [UInt8](Data(contentsOf: jpeg))
        }
    }

    /// Runs a tool found on PATH (cjpeg is /usr/bin/cjpeg on Debian), or given by its path, and waits for it.
    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw InputError.toolFailed(([tool] + arguments).joined(separator: " "), process.terminationStatus)
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

/// A deterministic synthetic "photo": a sky-to-ground gradient, soft-edged shaded discs and boxes,
/// cloud-like fractal value noise over everything (several octaves, so there is detail at every
/// scale) and seeded sensor-like noise. At JPEG quality 90 it compresses like a camera picture
/// (3.4 MB for 4000×3000 with cjpeg), unlike a flat test card.
struct PhotoLikeImage {
    /// Interleaved 8-bit RGB, row-major, no padding.
    var pixels: [UInt8]
    var width: Int
    var height: Int

    static func make(width: Int, height: Int, seed: UInt64) -> PhotoLikeImage {
        var rng = SplitMix64(seed: seed)
        let w = Double(width), h = Double(height)

        // Fractal value noise: one random lattice per octave and channel, smoothly interpolated.
        struct Octave { var cell: Int; var amplitude: Double; var columns: Int; var lattice: [[Double]] }
        let octaves: [Octave] = [(700, 30.0), (240, 16), (80, 11), (24, 8), (7, 7)].map { cell, amplitude in
            let columns = width / cell + 2, rows = height / cell + 2
            let lattice = (0 ..< 3).map { _ in (0 ..< columns * rows).map { _ in rng.nextUnit() * 2 - 1 } }
            return Octave(cell: cell, amplitude: amplitude, columns: columns, lattice: lattice)
        }
        func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }

        struct Shape { var cx, cy, rx, ry: Double; var colour: [Double]; var round: Bool }
        let shapes: [Shape] = (0 ..< 14).map { _ in
            Shape(cx: rng.nextUnit() * w, cy: rng.nextUnit() * h,
                  rx: (0.03 + rng.nextUnit() * 0.15) * w, ry: (0.03 + rng.nextUnit() * 0.15) * h,
                  colour: [rng.nextUnit() * 255, rng.nextUnit() * 255, rng.nextUnit() * 255],
                  round: rng.nextUnit() < 0.6)
        }

        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let horizon = 0.45 + rng.nextUnit() * 0.1
        pixels.withUnsafeMutableBufferPointer { out in
            var row = [Double](repeating: 0, count: width * 3)
            var latticeRow = [Double](repeating: 0, count: width / 7 + 2)
            for y in 0 ..< height {
                let fy = Double(y) / h
                // Sky (blue to pale) above the horizon, ground (green-brown) below.
                let sky = fy < horizon
                let t = sky ? fy / horizon : (fy - horizon) / (1 - horizon)
                let base: [Double] = sky
                    ? [70 + 120 * t, 120 + 90 * t, 200 + 40 * t]
                    : [100 - 40 * t, 115 - 50 * t, 55 - 20 * t]
                for x in 0 ..< width {
                    row[x * 3] = base[0]; row[x * 3 + 1] = base[1]; row[x * 3 + 2] = base[2]
                }
                for s in shapes where abs(Double(y) - s.cy) < s.ry {
                    let dy = (Double(y) - s.cy) / s.ry
                    let x0 = max(0, Int(s.cx - s.rx)), x1 = min(width, Int(s.cx + s.rx) + 1)
                    guard x0 < x1 else { continue }
                    for x in x0 ..< x1 {
                        let dx = (Double(x) - s.cx) / s.rx
                        let d = s.round ? (dx * dx + dy * dy).squareRoot() : max(abs(dx), abs(dy))
                        guard d < 1 else { continue }
                        let alpha = min(1, (1 - d) * 12) * 0.85 // soft edge, a little translucent
                        let shade = 1 - 0.35 * d // shading towards the rim
                        for c in 0 ..< 3 {
                            row[x * 3 + c] += alpha * (s.colour[c] * shade - row[x * 3 + c])
                        }
                    }
                }
                for octave in octaves {
                    let cy = y / octave.cell
                    let ty = smooth(Double(y % octave.cell) / Double(octave.cell))
                    for c in 0 ..< 3 {
                        // Interpolate the two lattice rows around y once, then run along x.
                        let lattice = octave.lattice[c]
                        for i in 0 ..< octave.columns {
                            let a = lattice[cy * octave.columns + i], b = lattice[(cy + 1) * octave.columns + i]
                            latticeRow[i] = a + (b - a) * ty
                        }
                        // Channels share most of the signal (luminance) and differ a little (colour).
                        let amplitude = octave.amplitude * (c == 0 ? 1 : 0.6)
                        for x in 0 ..< width {
                            let cx = x / octave.cell
                            let tx = smooth(Double(x % octave.cell) / Double(octave.cell))
                            let v = latticeRow[cx] + (latticeRow[cx + 1] - latticeRow[cx]) * tx
                            row[x * 3] += amplitude * v * (c == 0 ? 1 : 0.3)
                            row[x * 3 + c] += amplitude * v * (c == 0 ? 0 : 0.7)
                        }
                    }
                }
                let offset = y * width * 3
                for i in 0 ..< width * 3 {
                    // Sensor-like noise: the sum of three uniforms is close enough to Gaussian.
                    let noise = (rng.nextUnit() + rng.nextUnit() + rng.nextUnit() - 1.5) * 18
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
