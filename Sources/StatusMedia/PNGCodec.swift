import CPNG

/// PNG decoding through libpng's simplified `png_image` API (no setjmp in Swift).
enum PNGCodec {
    /// Warnings about colour-management chunks: libpng ignores the chunk and the pixels are intact.
    /// Every other warning (bad CRC in an ancillary chunk, extra data, …) makes the image `corrupt`.
    private static let toleratedWarningPrefixes = ["iCCP", "sRGB", "cHRM", "gAMA"]

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
        if image.warning_or_error & status_png_image_warning() != 0 {
            let warning = message(of: &image)
            if !toleratedWarningPrefixes.contains(where: { warning.hasPrefix($0) }) {
                throw MediaError(.corrupt, "PNG: \(warning)")
            }
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
    /// Encodes 8-bit RGB as PNG through the simplified API: no ancillary chunks, no metadata.
    static func encode(_ image: RGBImage) throws -> [UInt8] {
        var png = png_image()
        png.version = status_png_image_version()
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = status_png_format_rgb()
        defer { png_image_free(&png) }
        var size: Int = 0
        let sized = image.pixels.withUnsafeBytes { src in
            png_image_write_to_memory(&png, nil, &size, 0, src.baseAddress, 0, nil)
        }
        guard sized != 0, size > 0 else { throw MediaError(.writeFailed, "PNG encoder: \(message(of: &png))") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { dst in
            image.pixels.withUnsafeBytes { src in
                png_image_write_to_memory(&png, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw MediaError(.writeFailed, "PNG encoder: \(message(of: &png))") }
        return Array(out.prefix(size))
    }
}
