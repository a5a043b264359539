/// Why the media module refused an input.
///
/// Every refusal carries a stable, machine-readable ``Code`` and a message for people.
/// Match on the code:
///
/// ```swift
/// do { _ = try processor.inspect(data) }
/// catch let error as MediaError where error.code == .tooManyPixels { ... }
/// ```
public struct MediaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of refusal, rendered as a snake_case string.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The bytes are not a format this kind of post accepts.
        public static let unsupportedFormat = Code(rawValue: "unsupported_format")
        /// The input has more bytes than the configured limit.
        public static let tooLarge = Code(rawValue: "too_large")
        /// The header claims more pixels than the configured limit.
        public static let tooManyPixels = Code(rawValue: "too_many_pixels")
        /// A side is shorter than the configured minimum.
        public static let tooSmall = Code(rawValue: "too_small")
        /// The data is damaged, truncated or not decodable.
        public static let corrupt = Code(rawValue: "corrupt")
        /// A container with no video stream (audio only, or nothing playable).
        public static let noVideoStream = Code(rawValue: "no_video_stream")
        /// A video or audio codec that posts may not use.
        public static let unsupportedCodec = Code(rawValue: "unsupported_codec")
        /// A video longer than the configured limit.
        public static let tooLong = Code(rawValue: "too_long")
        /// A video with a higher frame rate than the configured limit.
        public static let tooFast = Code(rawValue: "too_fast")
        /// A text post with no visible characters.
        public static let textEmpty = Code(rawValue: "text_empty")
        /// A text post with more grapheme clusters than allowed.
        public static let textTooLong = Code(rawValue: "text_too_long")
        /// A caption with more grapheme clusters than allowed.
        public static let captionTooLong = Code(rawValue: "caption_too_long")
        /// Text holding a NUL (U+0000), which the store's C strings would cut short.
        public static let badText = Code(rawValue: "bad_text")
        /// A background colour that is not `#RRGGBB`.
        public static let badColour = Code(rawValue: "bad_colour")
        /// A font id outside the configured fonts.
        public static let badFont = Code(rawValue: "bad_font")
        /// The input file could not be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// A rendition could not be written.
        public static let writeFailed = Code(rawValue: "write_failed")
    }

    /// What kind of refusal this is.
    public var code: Code
    /// A sentence for people, including the decoder's own message where there is one.
    public var message: String

    /// An error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension MediaError.Code {
    /// Lets `case MediaError.Code.corrupt` match any thrown error in `switch` and `catch`.
    public static func ~= (code: MediaError.Code, error: any Error) -> Bool {
        (error as? MediaError)?.code == code
    }
}
