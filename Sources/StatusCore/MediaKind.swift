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
