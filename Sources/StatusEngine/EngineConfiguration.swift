import StatusMedia
import StatusStore

/// Everything the engine can be told, with the product's defaults.
///
/// The checked-in `config/engine.json` holds the same defaults; loading from a file or the
/// `STATUS_ENGINE_CONFIG` environment variable is in `EngineConfiguration+Loading.swift`.
public struct EngineConfiguration: Sendable, Equatable, Codable {
    /// Media limits and renditions.
    public var media: MediaConfiguration
    /// The SQLite store: lock waits, durability, purge batches.
    public var storage: StoreConfiguration
    /// Sponsored Status ads: insertion, auction, pacing, manifest limits, creative policy.
    public var ads: AdsConfiguration
    /// The HTTP API: bearer token digests per role.
    public var server: ServerSettings

    /// A configuration; defaults are the product's.
    public init(media: MediaConfiguration = .default, storage: StoreConfiguration = .default, ads: AdsConfiguration = .default,
                server: ServerSettings = .default) {
        self.media = media
        self.storage = storage
        self.ads = ads
        self.server = server
    }

    /// The product's defaults.
    public static let `default` = EngineConfiguration()
}
