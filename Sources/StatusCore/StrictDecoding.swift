/// Configuration files are strict: a misspelt key is an error, not a silently ignored setting.
extension Decoder {
    /// Throws `DecodingError.dataCorrupted` naming the first key of this object not in `known`.
    ///
    /// ```swift
    /// public init(from decoder: any Decoder) throws {
    ///     try decoder.rejectUnknownKeys(["max_bytes", "max_pixels"])
    ///     ...
    /// }
    /// ```
    public func rejectUnknownKeys(_ known: [String]) throws {
        let c = try container(keyedBy: AnyCodingKey.self)
        let unknown = c.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
        if let first = unknown.first {
            throw DecodingError.dataCorruptedError(
                forKey: AnyCodingKey(stringValue: first), in: c,
                debugDescription: "unknown key \(first.debugDescription); expected one of \(known.joined(separator: ", "))")
        }
    }
}

/// A coding key for any string, for looking at an object's keys before decoding it.
public struct AnyCodingKey: CodingKey {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
