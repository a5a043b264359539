import StatusCore

/// Limits and rendition settings of the media module.
///
/// The defaults here are the product's documented defaults and are kept equal to
/// `config/engine.json` (a test checks that). Loading from a file lives in StatusEngine.
public struct MediaConfiguration: Sendable, Equatable, Codable {
    /// Limits for image posts.
    public var image: ImageLimits
    /// Limits for video posts.
    public var video: VideoLimits
    /// Limits for text posts and captions.
    public var text: TextLimits
    /// Sizes and JPEG quality of the renditions.
    public var renditions: RenditionSettings

    /// A configuration; every part defaults to the product's defaults.
    public init(
        image: ImageLimits = ImageLimits(),
        video: VideoLimits = VideoLimits(),
        text: TextLimits = TextLimits(),
        renditions: RenditionSettings = RenditionSettings()
    ) {
        self.image = image
        self.video = video
        self.text = text
        self.renditions = renditions
    }

    /// The product's defaults.
    public static let `default` = MediaConfiguration()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case image, video, text, renditions
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MediaConfiguration.default
        image = try c.decodeIfPresent(ImageLimits.self, forKey: .image) ?? d.image
        video = try c.decodeIfPresent(VideoLimits.self, forKey: .video) ?? d.video
        text = try c.decodeIfPresent(TextLimits.self, forKey: .text) ?? d.text
        renditions = try c.decodeIfPresent(RenditionSettings.self, forKey: .renditions) ?? d.renditions
    }
}

/// Limits checked on image posts, all before any pixel is decoded.
public struct ImageLimits: Sendable, Equatable, Codable {
    /// Largest accepted file, in bytes. Default 16 MiB.
    public var maxBytes: Int
    /// Most pixels (width × height) the header may claim. Default 33,177,600 (8K, 7680×4320).
    public var maxPixels: Int
    /// Shortest accepted side, in pixels. Default 16.
    public var minSide: Int

    /// Image limits; defaults are the product's.
    public init(maxBytes: Int = 16 << 20, maxPixels: Int = 33_177_600, minSide: Int = 16) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.minSide = minSide
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxBytes = "max_bytes", maxPixels = "max_pixels", minSide = "min_side"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ImageLimits()
        maxBytes = try c.integer(.maxBytes, in: 1...(1 << 32), unit: "bytes") ?? d.maxBytes
        maxPixels = try c.integer(.maxPixels, in: 1...(1 << 32), unit: "pixels") ?? d.maxPixels
        minSide = try c.integer(.minSide, in: 1...65_535, unit: "pixels") ?? d.minSide
    }
}

/// Limits checked on video posts.
public struct VideoLimits: Sendable, Equatable, Codable {
    /// Largest accepted file, in bytes. Default 64 MiB.
    public var maxBytes: Int
    /// Longest accepted duration, in seconds. Default 60.
    public var maxDurationSeconds: Double
    /// Longest accepted frame side, in pixels. Default 3840.
    public var maxLongSide: Int
    /// Longest accepted short side of a frame, in pixels. Default 2160.
    public var maxShortSide: Int
    /// Highest accepted frame rate. Default 120.
    public var maxFramesPerSecond: Double

    /// Video limits; defaults are the product's.
    public init(
        maxBytes: Int = 64 << 20, maxDurationSeconds: Double = 60,
        maxLongSide: Int = 3840, maxShortSide: Int = 2160, maxFramesPerSecond: Double = 120
    ) {
        self.maxBytes = maxBytes
        self.maxDurationSeconds = maxDurationSeconds
        self.maxLongSide = maxLongSide
        self.maxShortSide = maxShortSide
        self.maxFramesPerSecond = maxFramesPerSecond
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxBytes = "max_bytes", maxDurationSeconds = "max_duration_s"
        case maxLongSide = "max_long_side", maxShortSide = "max_short_side"
        case maxFramesPerSecond = "max_fps"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VideoLimits()
        maxBytes = try c.integer(.maxBytes, in: 1...(1 << 36), unit: "bytes") ?? d.maxBytes
        maxDurationSeconds = try c.positiveNumber(.maxDurationSeconds, atMost: 86_400) ?? d.maxDurationSeconds
        maxLongSide = try c.integer(.maxLongSide, in: 1...65_535, unit: "pixels") ?? d.maxLongSide
        maxShortSide = try c.integer(.maxShortSide, in: 1...65_535, unit: "pixels") ?? d.maxShortSide
        maxFramesPerSecond = try c.positiveNumber(.maxFramesPerSecond, atMost: 1_000) ?? d.maxFramesPerSecond
    }
}

/// Limits for text posts and captions, and the fonts a text post may choose.
public struct TextLimits: Sendable, Equatable, Codable {
    /// Most grapheme clusters in a text post. Default 700.
    public var maxGraphemes: Int
    /// Most grapheme clusters in a caption. Default 700.
    public var captionMaxGraphemes: Int
    /// Font families; a post's font id is an index into this list.
    public var fonts: [String]

    /// Text limits; defaults are the product's.
    public init(
        maxGraphemes: Int = 700, captionMaxGraphemes: Int = 700,
        fonts: [String] = ["Noto Sans", "Noto Serif", "Noto Sans Display", "Noto Naskh Arabic", "Noto Kufi Arabic"]
    ) {
        self.maxGraphemes = maxGraphemes
        self.captionMaxGraphemes = captionMaxGraphemes
        self.fonts = fonts
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxGraphemes = "max_graphemes", captionMaxGraphemes = "caption_max_graphemes", fonts
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TextLimits()
        maxGraphemes = try c.integer(.maxGraphemes, in: 1...100_000) ?? d.maxGraphemes
        captionMaxGraphemes = try c.integer(.captionMaxGraphemes, in: 1...100_000) ?? d.captionMaxGraphemes
        fonts = try c.decodeIfPresent([String].self, forKey: .fonts) ?? d.fonts
        if fonts.isEmpty {
            throw DecodingError.dataCorruptedError(
                forKey: .fonts, in: c, debugDescription: "at least one font family is needed")
        }
    }
}

/// The two renditions every post gets.
public struct RenditionSettings: Sendable, Equatable, Codable {
    /// The full-screen picture: fits inside 1080×1920, quality 85 by default.
    public var display: RenditionSpec
    /// The list preview: fits inside 320×320, quality 80 by default.
    public var thumb: RenditionSpec

    /// Rendition settings; defaults are the product's.
    public init(
        display: RenditionSpec = RenditionSpec(maxWidth: 1080, maxHeight: 1920, quality: 85),
        thumb: RenditionSpec = RenditionSpec(maxWidth: 320, maxHeight: 320, quality: 80)
    ) {
        self.display = display
        self.thumb = thumb
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case display, thumb }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RenditionSettings()
        display = try c.decodeIfPresent(RenditionSpec.self, forKey: .display) ?? d.display
        thumb = try c.decodeIfPresent(RenditionSpec.self, forKey: .thumb) ?? d.thumb
    }
}

/// One rendition: the box it must fit inside (never upscaled) and its JPEG quality.
public struct RenditionSpec: Sendable, Equatable, Codable {
    /// Widest output, in pixels.
    public var maxWidth: Int
    /// Tallest output, in pixels.
    public var maxHeight: Int
    /// JPEG quality, 1–100.
    public var quality: Int

    /// A rendition box and quality.
    public init(maxWidth: Int, maxHeight: Int, quality: Int) {
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.quality = quality
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxWidth = "max_width", maxHeight = "max_height", quality
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let w = try c.integer(.maxWidth, in: 1...16_384, unit: "pixels"),
              let h = try c.integer(.maxHeight, in: 1...16_384, unit: "pixels"),
              let q = try c.integer(.quality, in: 1...100)
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .quality, in: c, debugDescription: "a rendition needs max_width, max_height and quality")
        }
        maxWidth = w
        maxHeight = h
        quality = q
    }
}
