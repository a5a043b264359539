/// What a Status post carries.
public enum MediaKind: String, Sendable, Codable, CaseIterable {
    case text
    case image
    case video
}

/// The still-image container formats a Status post may use.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg
    case png
}

/// The container format of an accepted post's media, as reported to clients.
public enum MediaFormat: String, Sendable, Codable, CaseIterable {
    case jpeg
    case png
    case mp4
    case mov
    case webm
    case matroska
    case gif

    /// The same format named as an image format.
    public init(_ image: ImageFormat) {
        switch image {
        case .jpeg: self = .jpeg
        case .png: self = .png
        }
    }
}
