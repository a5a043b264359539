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
        Self.isVideo(bytes) ? try videos.check(bytes) : try images.check(bytes)
    }

    /// Validation and both renditions, for an image or a video.
    public func render(_ bytes: [UInt8]) throws -> RenderedMedia {
        Self.isVideo(bytes) ? try videos.render(bytes) : try images.render(bytes)
    }

    /// Full validation of a local file: images are read whole (they are small and decoded
    /// whole), videos are read by libavformat as needed.
    public func check(file path: String) throws -> MediaInfo {
        switch try route(path) {
        case .image: return try images.check(MediaFileReader.read(path: path, limit: configuration.image.maxBytes))
        case .video(let source): return try videos.check(source)
        }
    }

    /// Validation and both renditions for a local file.
    public func render(file path: String) throws -> RenderedMedia {
        switch try route(path) {
        case .image: return try images.render(MediaFileReader.read(path: path, limit: configuration.image.maxBytes))
        case .video(let source): return try videos.render(source)
        }
    }

    private enum Route {
        case image
        case video(VideoSource)
    }

    /// Reads the file's first bytes once and decides which path takes it.
    private func route(_ path: String) throws -> Route {
        let (head, size) = try MediaFileReader.head(path: path, count: 64)
        guard Self.isVideo(head) else { return .image }
        guard size <= configuration.video.maxBytes else {
            throw MediaError(.tooLarge, "file is \(size) bytes; the limit for videos is \(configuration.video.maxBytes)")
        }
        return .video(.file(path: path, size: size, head: head))
    }

    /// Video containers, and bytes nobody recognised (libavformat gets the last word on those);
    /// JPEG, PNG and the other known image formats go to the image path, which names them.
    private static func isVideo(_ bytes: [UInt8]) -> Bool {
        switch bytes.withUnsafeBytes({ FormatSniffer.sniff($0) }) {
        case .image, .other: return false
        case .video: return true
        case .unknown: return !bytes.isEmpty
        }
    }
}
