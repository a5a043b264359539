import StatusCore

/// How the SQLite store behaves. Defaults are the product's; `config/engine.json` holds the same.
public struct StoreConfiguration: Sendable, Equatable, Codable {
    /// How long a command waits for another process's write lock before failing with `busy`.
    public var busyTimeoutMilliseconds: Int
    /// SQLite's `synchronous` setting in WAL mode: `full` (an acknowledged write survives power
    /// loss) or `normal` (survives a crash of the process, not of the machine).
    public var synchronous: Synchronous
    /// Posts deleted per purge transaction: small enough that writers never wait long.
    public var purgeBatchSize: Int
    /// How long charging a feed's ads waits for another writer before the feed is served without
    /// ads: the ad path's time budget, not a command's patience.
    public var servingBusyTimeoutMilliseconds: Int
    /// A temporary blob file older than this is left over from an interrupted write; `reconcile`
    /// reports and removes it.
    public var temporaryGraceSeconds: Int

    public enum Synchronous: String, Sendable, Equatable, Codable {
        case full
        case normal
    }

    public init(busyTimeoutMilliseconds: Int = 5_000, synchronous: Synchronous = .full, purgeBatchSize: Int = 1_000,
                temporaryGraceSeconds: Int = 3_600, servingBusyTimeoutMilliseconds: Int = 20) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.servingBusyTimeoutMilliseconds = servingBusyTimeoutMilliseconds
        self.synchronous = synchronous
        self.purgeBatchSize = purgeBatchSize
        self.temporaryGraceSeconds = temporaryGraceSeconds
    }

    /// The product's defaults.
    public static let `default` = StoreConfiguration()

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = StoreConfiguration()
        // SQLite takes its busy timeout as a 32-bit number; the ceilings keep well inside it.
        func positive(_ key: CodingKeys, max: Int) throws -> Int? { try c.integer(key, in: 1...max) }
        busyTimeoutMilliseconds = try positive(.busyTimeoutMilliseconds, max: 600_000) ?? d.busyTimeoutMilliseconds
        synchronous = try c.decodeIfPresent(Synchronous.self, forKey: .synchronous) ?? d.synchronous
        purgeBatchSize = try positive(.purgeBatchSize, max: 1_000_000) ?? d.purgeBatchSize
        temporaryGraceSeconds = try positive(.temporaryGraceSeconds, max: 30 * 86_400) ?? d.temporaryGraceSeconds
        servingBusyTimeoutMilliseconds = try positive(.servingBusyTimeoutMilliseconds, max: 600_000) ?? d.servingBusyTimeoutMilliseconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case busyTimeoutMilliseconds = "busy_timeout_ms"
        case synchronous
        case purgeBatchSize = "purge_batch"
        case temporaryGraceSeconds = "temporary_grace_s"
        case servingBusyTimeoutMilliseconds = "serving_busy_timeout_ms"
    }
}
