import StatusCore

/// The media module's front door: routes bytes to the image or the video path by their magic
/// bytes (JPEG and PNG are images; anything else is offered to the video path, which accepts
/// only MP4/MOV, WebM, Matroska and animated GIF).
///
/// ```swift
/// let media = MediaProcessor(configuration: .default)
/// let rendered = try media.render(bytes)   // image or video
/// ```
public struct MediaProcessor: Sendable {
    /// The image path.
    public var images: ImageProcessor
    /// The video path.
    public var videos: VideoProcessor

    /// A processor using the given limits for both paths.
    public init(configuration: MediaConfiguration = .default) {
        images = ImageProcessor(configuration: configuration)
        videos = VideoProcessor(configuration: configuration)
    }

    /// Limits and rendition settings in force.
    public var configuration: MediaConfiguration { images.configuration }

    /// Full validation of an image or a video.
    public func check(_ bytes: [UInt8]) throws -> MediaInfo {
        isImage(bytes) ? try images.check(bytes) : try videos.check(bytes)
    }

    /// Validation and both renditions, for an image or a video.
    public func render(_ bytes: [UInt8]) throws -> RenderedMedia {
        isImage(bytes) ? try images.render(bytes) : try videos.render(bytes)
    }

    /// Full validation of a local file: images are read whole (they are small and decoded
    /// whole), videos are read by libavformat as needed.
    public func check(file path: String) throws -> MediaInfo {
        if try isImage(file: path) {
            return try images.check(MediaFileReader.read(path: path, limit: configuration.image.maxBytes))
        }
        return try videos.check(file: path)
    }

    /// Validation and both renditions for a local file.
    public func render(file path: String) throws -> RenderedMedia {
        if try isImage(file: path) {
            return try images.render(MediaFileReader.read(path: path, limit: configuration.image.maxBytes))
        }
        return try videos.render(file: path)
    }

    private func isImage(file path: String) throws -> Bool {
        try isImage(MediaFileReader.head(path: path, count: 16))
    }

    private func isImage(_ bytes: [UInt8]) -> Bool {
        let sniffed = bytes.withUnsafeBytes { FormatSniffer.sniff($0) }
        switch sniffed {
        case .image: return true
        case .other(let name): return !["GIF", "an MP4/MOV video", "a WebM/Matroska video"].contains(name)
        case .unknown: return bytes.isEmpty
        }
    }
}
