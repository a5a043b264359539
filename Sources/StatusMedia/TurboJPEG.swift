import CTurboJPEG

/// The one owner of a TurboJPEG handle: created per operation, destroyed in `deinit` on every path.
/// TurboJPEG handles are not thread-safe, so a handle is never shared between threads.
final class TurboJPEGHandle {
    let raw: tjhandle

    private init(_ raw: tjhandle) { self.raw = raw }
    deinit { tjDestroy(raw) }

    static func decompressor() throws -> TurboJPEGHandle {
        guard let h = tjInitDecompress() else { throw MediaError(.corrupt, "JPEG: cannot create a decoder") }
        return TurboJPEGHandle(h)
    }

    static func compressor() throws -> TurboJPEGHandle {
        guard let h = tjInitCompress() else { throw MediaError(.writeFailed, "JPEG: cannot create an encoder") }
        return TurboJPEGHandle(h)
    }

    /// The library's message for the last failure on this handle.
    var lastError: String {
        guard let s = tjGetErrorStr2(raw) else { return "unknown error" }
        return String(cString: s)
    }
}

/// JPEG decoding with DCT-domain scaling ("shrink on load") and encoding, through TurboJPEG.
enum JPEGCodec {
    /// The scaling factors this libjpeg-turbo offers (n/8 for n in 1…16), smallest first.
    static let scalingFactors: [tjscalingfactor] = {
        var count: Int32 = 0
        guard let p = tjGetScalingFactors(&count), count > 0 else { return [tjscalingfactor(num: 1, denom: 1)] }
        return UnsafeBufferPointer(start: p, count: Int(count))
            .filter { $0.num <= $0.denom } // never upscale
            .sorted { Double($0.num) / Double($0.denom) < Double($1.num) / Double($1.denom) }
    }()

    /// The smallest DCT scale whose output is still at least `target` on both sides.
    static func scaledSize(width: Int, height: Int, atLeast target: (width: Int, height: Int)) -> (width: Int, height: Int) {
        for f in scalingFactors {
            let w = Int(status_tj_scaled(Int32(width), f)), h = Int(status_tj_scaled(Int32(height), f))
            if w >= target.width && h >= target.height { return (w, h) }
        }
        return (width, height)
    }

    /// Decodes to 8-bit RGB at the smallest DCT scale that still covers `target` (stored orientation).
    /// Any libjpeg warning (truncation, bad Huffman data, …) makes the image `corrupt`.
    static func decode(_ data: UnsafeRawBufferPointer, header: ImageHeader, atLeast target: (width: Int, height: Int)) throws -> RGBImage {
        let handle = try TurboJPEGHandle.decompressor()
        let src = data.bindMemory(to: UInt8.self).baseAddress!
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colourspace: Int32 = 0
        guard tjDecompressHeader3(handle.raw, src, UInt(data.count), &w, &h, &subsamp, &colourspace) == 0 else {
            throw MediaError(.corrupt, "JPEG: \(handle.lastError)")
        }
        guard Int(w) == header.width, Int(h) == header.height else {
            throw MediaError(.corrupt, "JPEG: header sizes disagree (\(header.width)×\(header.height) vs \(w)×\(h))")
        }
        let size = scaledSize(width: Int(w), height: Int(h), atLeast: target)
        let cmyk = colourspace == Int32(TJCS_CMYK.rawValue) || colourspace == Int32(TJCS_YCCK.rawValue)
        let flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS
        if cmyk {
            var buffer = [UInt8](repeating: 0, count: size.width * size.height * 4)
            let rc = buffer.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle.raw, src, UInt(data.count), dst.baseAddress, Int32(size.width), 0,
                              Int32(size.height), Int32(TJPF_CMYK.rawValue), flags)
            }
            guard rc == 0 else { throw MediaError(.corrupt, "JPEG: \(handle.lastError)") }
            if let profile = header.iccProfile,
               let transform = ColourManagement.transform(profile: profile, input: .cmyk(inverted: header.hasAdobeMarker)) {
                return transform.convert(cmyk: buffer, width: size.width, height: size.height)
            }
            return ColourConversion.cmykToRGB(buffer, width: size.width, height: size.height, inverted: header.hasAdobeMarker)
        }
        var image = RGBImage(width: size.width, height: size.height)
        let rc = image.pixels.withUnsafeMutableBufferPointer { dst in
            tjDecompress2(handle.raw, src, UInt(data.count), dst.baseAddress, Int32(size.width), 0,
                          Int32(size.height), Int32(TJPF_RGB.rawValue), flags)
        }
        guard rc == 0 else { throw MediaError(.corrupt, "JPEG: \(handle.lastError)") }
        return image
    }

    /// Encodes baseline JPEG, 4:2:0, with no metadata segments beyond JFIF.
    static func encode(_ image: RGBImage, quality: Int) throws -> [UInt8] {
        let handle = try TurboJPEGHandle.compressor()
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { if let out { tjFree(out) } }
        let rc = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle.raw, src.baseAddress, Int32(image.width), 0, Int32(image.height),
                        Int32(TJPF_RGB.rawValue), &out, &size, Int32(TJSAMP_420.rawValue), Int32(quality), 0)
        }
        guard rc == 0, let out else { throw MediaError(.writeFailed, "JPEG encoder: \(handle.lastError)") }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}

enum ColourConversion {
    /// Naive CMYK → RGB. Photoshop-style files (with an Adobe marker) store every channel inverted.
    static func cmykToRGB(_ cmyk: [UInt8], width: Int, height: Int, inverted: Bool) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        cmyk.withUnsafeBufferPointer { s in
            image.pixels.withUnsafeMutableBufferPointer { d in
                for p in 0..<(width * height) {
                    var c = Int(s[p * 4]), m = Int(s[p * 4 + 1]), y = Int(s[p * 4 + 2]), k = Int(s[p * 4 + 3])
                    if !inverted { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k }
                    // Now each value is "amount of white": 255 means no ink.
                    d[p * 3] = UInt8((c * k + 127) / 255)
                    d[p * 3 + 1] = UInt8((m * k + 127) / 255)
                    d[p * 3 + 2] = UInt8((y * k + 127) / 255)
                }
            }
        }
        return image
    }
}
