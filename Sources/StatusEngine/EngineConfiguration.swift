import StatusMedia

/// Everything the engine can be told, with the product's defaults.
///
/// The checked-in `config/engine.json` holds the same defaults; loading from a file or the
/// `STATUS_ENGINE_CONFIG` environment variable is in `EngineConfiguration+Loading.swift`.
public struct EngineConfiguration: Sendable, Equatable, Codable {
    /// Media limits and renditions.
    public var media: MediaConfiguration

    /// A configuration; defaults are the product's.
    public init(media: MediaConfiguration = .default) {
        self.media = media
    }

    /// The product's defaults.
    public static let `default` = EngineConfiguration()
}
