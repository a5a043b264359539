/// The `server` section of the configuration: who may call the HTTP API. Tokens are kept only
/// as lowercase hex SHA-256 digests, per role (`feed`, `moderator`, `adops`); `statusctl serve
/// --print-digest TOKEN` prints the digest of a token to put here.
public struct ServerSettings: Sendable, Equatable, Codable {
    /// Role → digests of the bearer tokens it accepts. Empty: nobody may call the `/v1` routes.
    public var tokens: [String: [String]]

    public init(tokens: [String: [String]] = [:]) {
        self.tokens = tokens
    }

    public static let `default` = ServerSettings()

    enum CodingKeys: String, CodingKey, CaseIterable { case tokens }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokens = try c.decodeIfPresent([String: [String]].self, forKey: .tokens) ?? [:]
    }
}
