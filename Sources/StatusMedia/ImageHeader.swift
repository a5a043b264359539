import CPNG
import StatusCore

/// What an image's header says, read without decoding any pixel.
struct ImageHeader: Equatable {
    var format: ImageFormat
    /// Stored width and height (before orientation).
    var width: Int
    var height: Int
    var orientation: Orientation
    /// JPEG only: an Adobe APP14 marker was present (CMYK stored inverted, Photoshop style).
    var hasAdobeMarker: Bool = false
    /// PNG only: a gAMA chunk is present (libpng then converts to sRGB gamma itself).
    var pngHasGamma: Bool = false
    /// The embedded ICC profile (JPEG APP2 chunks joined, PNG iCCP inflated), if any.
    var iccProfile: [UInt8]?

    /// Width and height as shown, after orientation.
    var orientedSize: (width: Int, height: Int) {
        orientation.swapsAxes ? (height, width) : (width, height)
    }
}

/// Walks JPEG markers up to the first scan: frame size, component count, EXIF orientation and
/// the Adobe marker. Never reads past the buffer; a damaged header is `corrupt`.
enum JPEGHeaderReader {
    static func read(_ b: UnsafeRawBufferPointer) throws -> ImageHeader {
        var i = 2 // after SOI
        var orientation: Orientation?
        var adobe = false
        var frame: (w: Int, h: Int, n: Int)?
        var iccChunks: [Int: [UInt8]] = [:]
        var iccCount = 0
        while true {
            // Find the next marker, skipping fill bytes.
            guard i < b.count, b[i] == 0xFF else {
                throw MediaError(.corrupt, "JPEG: expected a marker at byte \(i)")
            }
            while i < b.count && b[i] == 0xFF { i += 1 }
            guard i < b.count else { throw MediaError(.corrupt, "JPEG: data ends inside the header") }
            let marker = b[i]
            i += 1
            switch marker {
            case 0xD8, 0x01, 0xD0...0xD7:
                continue // no length
            case 0xD9:
                throw MediaError(.corrupt, "JPEG: end of image before any scan")
            default:
                break
            }
            guard i + 2 <= b.count else { throw MediaError(.corrupt, "JPEG: data ends inside the header") }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2, i + length <= b.count else {
                throw MediaError(.corrupt, "JPEG: segment 0x\(String(marker, radix: 16, uppercase: true)) runs past the end of the data")
            }
            let payload = UnsafeRawBufferPointer(rebasing: b[(i + 2)..<(i + length)])
            switch marker {
            case 0xE1 where orientation == nil:
                if payload.count > 6, payload.starts(with: Array("Exif\0\0".utf8)) {
                    orientation = EXIF.orientation(tiff: UnsafeRawBufferPointer(rebasing: payload[6...]))
                }
            case 0xE2:
                // ICC_PROFILE\0, sequence number (1-based), chunk count, then profile bytes.
                if payload.count > 14, payload.starts(with: Array("ICC_PROFILE\0".utf8)) {
                    let sequence = Int(payload[12]), count = Int(payload[13])
                    if sequence >= 1, sequence <= count, iccCount == 0 || iccCount == count {
                        iccCount = count
                        iccChunks[sequence] = Array(payload[14...])
                    }
                }
            case 0xEE:
                if payload.count >= 12, payload.starts(with: Array("Adobe".utf8)) { adobe = true }
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                guard frame == nil else { throw MediaError(.corrupt, "JPEG: more than one frame header") }
                guard payload.count >= 6 else { throw MediaError(.corrupt, "JPEG: frame header too short") }
                let h = Int(payload[1]) << 8 | Int(payload[2])
                let w = Int(payload[3]) << 8 | Int(payload[4])
                let n = Int(payload[5])
                guard w > 0, h > 0 else { throw MediaError(.corrupt, "JPEG: frame header gives a zero size (\(w)×\(h))") }
                guard [1, 3, 4].contains(n) else {
                    throw MediaError(.corrupt, "JPEG: unsupported number of colour components (\(n))")
                }
                frame = (w, h, n)
            case 0xDA:
                guard let frame else { throw MediaError(.corrupt, "JPEG: scan before any frame header") }
                var icc: [UInt8]?
                if iccCount > 0, iccChunks.count == iccCount {
                    icc = (1...iccCount).flatMap { iccChunks[$0]! }
                }
                return ImageHeader(
                    format: .jpeg, width: frame.w, height: frame.h, orientation: orientation ?? .up,
                    hasAdobeMarker: adobe, iccProfile: icc)
            default:
                break
            }
            i += length
        }
    }
}

/// Reads IHDR (and an eXIf chunk if present) without inflating anything.
enum PNGHeaderReader {
    private static let validDepths: [Int: Set<Int>] = [
        0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
    ]

    static func read(_ b: UnsafeRawBufferPointer) throws -> ImageHeader {
        func u32(_ at: Int) -> Int {
            Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
        }
        guard b.count >= 8 + 8 + 13 + 4 else { throw MediaError(.corrupt, "PNG: data ends inside the header") }
        guard u32(8) == 13, b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else {
            throw MediaError(.corrupt, "PNG: IHDR is not the first chunk or has the wrong length")
        }
        let width = u32(16), height = u32(20)
        let depth = Int(b[24]), colourType = Int(b[25])
        let compression = b[26], filter = b[27], interlace = b[28]
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw MediaError(.corrupt, "PNG: bad IHDR size \(width)×\(height)")
        }
        guard let depths = validDepths[colourType] else {
            throw MediaError(.corrupt, "PNG: bad IHDR colour type \(colourType)")
        }
        guard depths.contains(depth) else {
            throw MediaError(.corrupt, "PNG: bad IHDR bit depth \(depth) for colour type \(colourType)")
        }
        guard compression == 0, filter == 0, interlace <= 1 else {
            throw MediaError(.corrupt, "PNG: bad IHDR compression, filter or interlace method")
        }
        // Skip over chunks (by their lengths, nothing inflated but a small iCCP) looking for
        // eXIf, iCCP and gAMA; stops quietly at the first damaged length — libpng judges the rest.
        var orientation: Orientation?
        var icc: [UInt8]?
        var hasGamma = false
        var i = 8
        while i + 12 <= b.count {
            let length = u32(i)
            guard length <= b.count - i - 12 else { break }
            let data = UnsafeRawBufferPointer(rebasing: b[(i + 8)..<(i + 8 + length)])
            switch (b[i + 4], b[i + 5], b[i + 6], b[i + 7]) {
            case (0x65, 0x58, 0x49, 0x66) where orientation == nil: // eXIf
                orientation = EXIF.orientation(tiff: data)
            case (0x69, 0x43, 0x43, 0x50) where icc == nil: // iCCP
                icc = inflateICCP(data)
            case (0x67, 0x41, 0x4D, 0x41): // gAMA
                hasGamma = true
            default:
                break
            }
            if (b[i + 4], b[i + 5], b[i + 6], b[i + 7]) == (0x49, 0x45, 0x4E, 0x44) { break } // IEND
            i += 12 + length
        }
        return ImageHeader(
            format: .png, width: width, height: height, orientation: orientation ?? .up,
            pngHasGamma: hasGamma, iccProfile: icc)
    }

    /// Largest ICC profile accepted from an iCCP chunk; a bigger one is ignored.
    static let maxProfileBytes = 4 << 20

    /// iCCP: profile name (1–79 bytes), NUL, compression method 0, zlib data.
    private static func inflateICCP(_ data: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let nul = data.prefix(80).firstIndex(of: 0), nul >= 1, nul + 2 < data.count, data[nul + 1] == 0 else {
            return nil
        }
        let compressed = UnsafeRawBufferPointer(rebasing: data[(nul + 2)...])
        var out = [UInt8](repeating: 0, count: min(maxProfileBytes, max(4096, compressed.count * 16)))
        while true {
            let produced = out.withUnsafeMutableBytes { dst in
                compressed.withMemoryRebound(to: UInt8.self) { src in
                    status_inflate_bounded(src.baseAddress, src.count, dst.bindMemory(to: UInt8.self).baseAddress, dst.count)
                }
            }
            if produced >= 0 { return Array(out[..<produced]) }
            guard out.count < maxProfileBytes else { return nil }
            out = [UInt8](repeating: 0, count: min(maxProfileBytes, out.count * 4))
        }
    }
}
