import CPNG

/// PNG decoding through libpng's simplified `png_image` API (no setjmp in Swift).
enum PNGCodec {
    /// Decodes any PNG colour type and bit depth to 8-bit sRGB, alpha composed onto `background`.
    static func decode(_ data: UnsafeRawBufferPointer, header: ImageHeader, background: (UInt8, UInt8, UInt8)) throws -> RGBImage {
        var image = png_image()
        image.version = status_png_image_version()
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, data.baseAddress, data.count) != 0 else {
            throw MediaError(.corrupt, "PNG: \(message(of: &image))")
        }
        guard Int(image.width) == header.width, Int(image.height) == header.height else {
            throw MediaError(.corrupt, "PNG: header sizes disagree")
        }
        image.format = status_png_format_rgb()
        // 16-bit files without gamma information are sRGB-encoded in practice (as browsers assume).
        image.flags |= 0x04 // PNG_IMAGE_FLAG_16BIT_sRGB
        var bg = png_color(red: background.0, green: background.1, blue: background.2)
        var out = RGBImage(width: header.width, height: header.height)
        let ok = out.pixels.withUnsafeMutableBytes { dst in
            png_image_finish_read(&image, &bg, dst.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw MediaError(.corrupt, "PNG: \(message(of: &image))") }
        // Decoder warnings count as errors (a bad CRC in an ancillary chunk, extra data, a
        // broken colour profile, …): such a file is `corrupt`, with libpng's message.
        if image.warning_or_error & status_png_image_warning() != 0 {
            throw MediaError(.corrupt, "PNG: \(message(of: &image))")
        }
        return out
    }

    static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "unknown error" : text
        }
    }
}

extension PNGCodec {
    /// Encodes 8-bit RGB as PNG: IHDR, one IDAT, IEND, nothing else (no metadata). Every row
    /// but the first uses the Up filter, so the flat colour of a text post becomes runs of
    /// zeros that deflate at its fastest level packs tightly (libpng's simplified writer,
    /// with its default level and adaptive filters, took ~30× longer on a 1080×1920 post).
    static func encode(_ image: RGBImage, level: Int32 = 3) throws -> [UInt8] {
        let rowBytes = image.width * 3
        var filtered = [UInt8](repeating: 0, count: (rowBytes + 1) * image.height)
        image.pixels.withUnsafeBufferPointer { src in
            filtered.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let out = dst.baseAddress! + y * (rowBytes + 1)
                    let row = src.baseAddress! + y * rowBytes
                    if y == 0 {
                        out[0] = 0
                        (out + 1).update(from: row, count: rowBytes)
                    } else {
                        out[0] = 2 // Up
                        let above = row - rowBytes
                        for i in 0..<rowBytes { out[1 + i] = row[i] &- above[i] }
                    }
                }
            }
        }
        var compressedSize = compressBound(uLong(filtered.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let rc = compressed.withUnsafeMutableBufferPointer { dst in
            filtered.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &compressedSize, src.baseAddress, uLong(src.count), level)
            }
        }
        guard rc == Z_OK else { throw MediaError(.writeFailed, "PNG encoder: zlib error \(rc)") }

        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ body: ArraySlice<UInt8>, into out: inout [UInt8]) {
            out += be32(UInt32(body.count))
            let start = out.count
            out += Array(type.utf8)
            out += body
            let crc = out[start...].withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            out += be32(UInt32(crc))
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(Int(compressedSize) + 64)
        chunk("IHDR", ArraySlice(be32(UInt32(image.width)) + be32(UInt32(image.height)) + [8, 2, 0, 0, 0]), into: &png)
        chunk("IDAT", compressed[..<Int(compressedSize)], into: &png)
        chunk("IEND", [], into: &png)
        return png
    }
}
