import StatusCore

/// Recognises a container format from its first bytes; the file name is never consulted.
enum FormatSniffer {
    /// What the leading bytes say the data is.
    enum Sniffed: Equatable {
        case image(ImageFormat)
        /// A container the video path may accept (GIF, ISO BMFF, EBML), named for messages.
        case video(String)
        /// A format recognised but accepted by neither path, with a human name for messages.
        case other(String)
        case unknown
    }

    static func sniff(_ bytes: UnsafeRawBufferPointer) -> Sniffed {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + prefix.count else { return false }
            for (i, b) in prefix.enumerated() where bytes[offset + i] != b { return false }
            return true
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .image(.jpeg) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .image(.png) }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .video("GIF") }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .other("WebP") }
        if starts(Array("ftyp".utf8), at: 4) {
            if starts(Array("heic".utf8), at: 8) || starts(Array("heix".utf8), at: 8)
                || starts(Array("mif1".utf8), at: 8) { return .other("HEIF") }
            if starts(Array("avif".utf8), at: 8) { return .other("AVIF") }
            return .video("an MP4/MOV video")
        }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .video("a WebM/Matroska video") }
        if starts(Array("BM".utf8)) { return .other("BMP") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .other("TIFF") }
        if starts(Array("%PDF".utf8)) { return .other("PDF") }
        if starts(Array("<svg".utf8)) || starts(Array("<?xml".utf8)) { return .other("SVG/XML") }
        return .unknown
    }
}
