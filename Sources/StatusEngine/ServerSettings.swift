/// The `server` section of the configuration: who may call the HTTP API. Tokens are kept only
/// as lowercase hex SHA-256 digests, per role (`feed`, `moderator`, `adops`); `statusctl serve
/// --print-digest TOKEN` prints the digest of a token to put here.
public struct ServerSettings: Sendable, Equatable, Codable {
    /// Role → digests of the bearer tokens it accepts. Empty: nobody may call the `/v1` routes.
    public var tokens: [String: [String]]
    /// A connection that sends nothing for this long is closed: one idle between requests, or one
    /// whose request headers stop arriving (`idle_timeout_s`, 1…3600).
    public var idleTimeoutSeconds: Int
    /// A request body must have arrived whole this long after it began, however steadily it
    /// drips (`body_timeout_s`, 1…3600); past it the request is refused with 408, so a slow
    /// client holds neither an upload slot nor a server that is stopping.
    public var bodyTimeoutSeconds: Int

    public init(tokens: [String: [String]] = [:], idleTimeoutSeconds: Int = 60, bodyTimeoutSeconds: Int = 300) {
        self.tokens = tokens
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
    }

    public static let `default` = ServerSettings()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tokens
        case idleTimeoutSeconds = "idle_timeout_s"
        case bodyTimeoutSeconds = "body_timeout_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ServerSettings.default
        tokens = try c.decodeIfPresent([String: [String]].self, forKey: .tokens) ?? [:]
        func seconds(_ key: CodingKeys) throws -> Int? { try c.integer(key, in: 1...3_600, unit: "seconds") }
        idleTimeoutSeconds = try seconds(.idleTimeoutSeconds) ?? d.idleTimeoutSeconds
        bodyTimeoutSeconds = try seconds(.bodyTimeoutSeconds) ?? d.bodyTimeoutSeconds
    }
}
