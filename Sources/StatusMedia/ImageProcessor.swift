import StatusCore

/// What the media module learnt about an accepted input.
public struct MediaInfo: Sendable, Equatable {
    /// `image` or `video`.
    public var kind: MediaKind
    /// The container format found in the bytes.
    public var format: MediaFormat
    /// Width as shown, after EXIF orientation or video rotation.
    public var width: Int
    /// Height as shown, after EXIF orientation or video rotation.
    public var height: Int
    /// Images: the EXIF orientation found in the header (`up` when there is none).
    public var orientation: Orientation
    /// Size of the input in bytes.
    public var byteCount: Int
    /// Videos: codecs, duration, frame rate, rotation and the poster frame's time.
    public var video: VideoDetails?

    /// Describes an accepted input.
    public init(kind: MediaKind, format: MediaFormat, width: Int, height: Int, orientation: Orientation = .up,
                byteCount: Int, video: VideoDetails? = nil) {
        self.kind = kind
        self.format = format
        self.width = width
        self.height = height
        self.orientation = orientation
        self.byteCount = byteCount
        self.video = video
    }
}

/// What a video post is made of, as found by probing and demuxing it.
public struct VideoDetails: Sendable, Equatable {
    /// Video codec name: `h264`, `hevc`, `vp9`, `av1` or `gif`.
    public var videoCodec: String
    /// Audio codec name (`aac`, `opus`, `mp3`), or `nil` without audio.
    public var audioCodec: String?
    /// Duration of the video stream's packets, in seconds (not the container's claim).
    public var durationSeconds: Double
    /// Average frame rate.
    public var framesPerSecond: Double
    /// Clockwise degrees (0, 90, 180, 270) the stored frames are turned to be shown upright.
    public var rotation: Int
    /// When rendering: the time of the frame used as the poster, in seconds.
    public var posterSeconds: Double?
}

/// One encoded picture made from a post.
public struct Rendition: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// How the bytes are encoded: JPEG for photos and video posters, PNG for text posts'
    /// flat colour.
    public var format: ImageFormat
    /// The file's bytes, with no metadata (no EXIF, no GPS, no text chunks).
    public var bytes: [UInt8]

    /// An encoded rendition.
    public init(width: Int, height: Int, format: ImageFormat = .jpeg, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.format = format
        self.bytes = bytes
    }

    /// The file name extension for `format`.
    public var fileExtension: String { format == .jpeg ? "jpg" : "png" }
}

/// An accepted input with its two renditions.
public struct RenderedMedia: Sendable, Equatable {
    /// What the input is.
    public var info: MediaInfo
    /// Full-screen rendition, fits inside the configured display box, never upscaled.
    public var display: Rendition
    /// List preview, fits inside the configured thumb box.
    public var thumb: Rendition
}

/// Validates, decodes and renders JPEG and PNG Status images.
///
/// Every check that can be made from the header (bytes, format, pixel count, sides) is made
/// before any pixel is decoded, so a hostile header costs microseconds and no memory.
/// The work is synchronous and CPU-bound: call it from ``MediaWorkPool``, not from the
/// cooperative thread pool.
///
/// ```swift
/// let processor = ImageProcessor(configuration: .default)
/// let rendered = try processor.render(bytes)
/// try rendered.display.bytes.write(to: ...)
/// ```
public struct ImageProcessor: Sendable {
    /// Limits and rendition settings in force.
    public var configuration: MediaConfiguration

    /// A processor using the given limits.
    public init(configuration: MediaConfiguration = .default) {
        self.configuration = configuration
    }

    /// Header-only look: format, size and orientation, with every limit checked. Decodes nothing.
    public func inspect(_ bytes: [UInt8]) throws -> MediaInfo {
        try bytes.withUnsafeBytes { try info(for: validatedHeader($0), byteCount: $0.count) }
    }

    /// Full validation: the header checks, then a complete decode (at the cheapest DCT scale for
    /// JPEG) so that truncated or damaged data is refused as `corrupt`.
    public func check(_ bytes: [UInt8]) throws -> MediaInfo {
        try bytes.withUnsafeBytes { raw in
            let header = try validatedHeader(raw)
            _ = try decodeStored(raw, header: header, atLeast: (1, 1))
            return info(for: header, byteCount: raw.count)
        }
    }

    /// Decodes the whole image upright at full size (8-bit sRGB, alpha flattened onto white).
    public func decodeUpright(_ bytes: [UInt8]) throws -> RGBImage {
        try bytes.withUnsafeBytes { raw in
            let header = try validatedHeader(raw)
            var image = try decodeStored(raw, header: header, atLeast: (header.width, header.height))
            convertToSRGB(&image, header: header)
            return image.applying(header.orientation)
        }
    }

    /// Validates and makes both renditions.
    public func render(_ bytes: [UInt8]) throws -> RenderedMedia {
        try bytes.withUnsafeBytes { raw in
            let header = try validatedHeader(raw)
            let settings = configuration.renditions
            let target = Renditions.displayTarget(storedSize: (header.width, header.height),
                                                  orientation: header.orientation, settings: settings)
            let decoded = try decodeStored(raw, header: header, atLeast: target)
            let (display, thumb) = try Renditions.make(
                from: decoded, storedSize: (header.width, header.height), orientation: header.orientation,
                settings: settings, colour: { convertToSRGB(&$0, header: header) })
            return RenderedMedia(info: info(for: header, byteCount: raw.count), display: display, thumb: thumb)
        }
    }

    /// The largest size with the same aspect that fits inside `box`; never larger than the input.
    public static func fit(_ size: (width: Int, height: Int), inside box: (width: Int, height: Int)) -> (width: Int, height: Int) {
        if size.width <= box.width && size.height <= box.height { return size }
        let scale = min(Double(box.width) / Double(size.width), Double(box.height) / Double(size.height))
        let w = min(box.width, max(1, Int((Double(size.width) * scale).rounded())))
        let h = min(box.height, max(1, Int((Double(size.height) * scale).rounded())))
        return (w, h)
    }

    // MARK: - Internals

    func validatedHeader(_ raw: UnsafeRawBufferPointer) throws -> ImageHeader {
        let limits = configuration.image
        guard raw.count <= limits.maxBytes else {
            throw MediaError(.tooLarge, "file is \(raw.count) bytes; the limit is \(limits.maxBytes)")
        }
        let header: ImageHeader
        switch FormatSniffer.sniff(raw) {
        case .image(.jpeg): header = try JPEGHeaderReader.read(raw)
        case .image(.png): header = try PNGHeaderReader.read(raw)
        case .other(let name), .video(let name):
            throw MediaError(.unsupportedFormat, "looks like \(name); image posts must be JPEG or PNG")
        case .unknown:
            throw MediaError(.unsupportedFormat, raw.isEmpty ? "the file is empty" : "not a JPEG or PNG image")
        }
        let pixels = header.width * header.height // both < 2^31, no overflow in Int
        guard pixels <= limits.maxPixels else {
            throw MediaError(.tooManyPixels, "\(header.width)×\(header.height) is \(pixels) pixels; the limit is \(limits.maxPixels)")
        }
        guard min(header.width, header.height) >= limits.minSide else {
            throw MediaError(.tooSmall, "\(header.width)×\(header.height) has a side under \(limits.minSide) pixels")
        }
        return header
    }

    func decodeStored(_ raw: UnsafeRawBufferPointer, header: ImageHeader, atLeast target: (Int, Int)) throws -> RGBImage {
        switch header.format {
        case .jpeg: return try JPEGCodec.decode(raw, header: header, atLeast: target)
        case .png: return try PNGCodec.decode(raw, header: header, background: (255, 255, 255))
        }
    }

    /// Applies an embedded RGB ICC profile (after resizing: fewer pixels, same result within
    /// rounding). CMYK profiles were applied while decoding; PNGs with gAMA were already
    /// converted by libpng and are left alone.
    func convertToSRGB(_ image: inout RGBImage, header: ImageHeader) {
        guard let profile = header.iccProfile, !(header.format == .png && header.pngHasGamma),
              let transform = ColourManagement.transform(profile: profile, input: .rgb)
        else { return }
        transform.apply(to: &image)
    }

    private func info(for header: ImageHeader, byteCount: Int) -> MediaInfo {
        let size = header.orientedSize
        return MediaInfo(kind: .image, format: MediaFormat(header.format), width: size.width, height: size.height,
                         orientation: header.orientation, byteCount: byteCount)
    }
}

/// The one way renditions are made, for images and video posters alike: resample (Lanczos-3)
/// to the display box in stored orientation, convert colour, turn upright, encode; the thumb is
/// resampled from the display picture.
enum Renditions {
    /// The display size in stored orientation for a picture of `storedSize` shown with `orientation`.
    static func displayTarget(storedSize: (Int, Int), orientation: Orientation, settings: RenditionSettings) -> (Int, Int) {
        let upright = orientation.swapsAxes ? (storedSize.1, storedSize.0) : storedSize
        let display = ImageProcessor.fit(upright, inside: (settings.display.maxWidth, settings.display.maxHeight))
        return orientation.swapsAxes ? (display.height, display.width) : (display.width, display.height)
    }

    static func make(
        from decoded: RGBImage, storedSize: (Int, Int), orientation: Orientation, settings: RenditionSettings,
        colour: (inout RGBImage) -> Void = { _ in }
    ) throws -> (display: Rendition, thumb: Rendition) {
        let target = displayTarget(storedSize: storedSize, orientation: orientation, settings: settings)
        var resized = Resampler.resize(decoded, width: target.0, height: target.1)
        colour(&resized)
        let display = resized.applying(orientation)
        let thumbSize = ImageProcessor.fit((display.width, display.height), inside: (settings.thumb.maxWidth, settings.thumb.maxHeight))
        let thumb = Resampler.resize(display, width: thumbSize.width, height: thumbSize.height)
        return (Rendition(width: display.width, height: display.height, bytes: try JPEGCodec.encode(display, quality: settings.display.quality)),
                Rendition(width: thumb.width, height: thumb.height, bytes: try JPEGCodec.encode(thumb, quality: settings.thumb.quality)))
    }
}
