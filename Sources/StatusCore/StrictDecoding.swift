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

/// Configuration numbers are bounded: a value past its range is a typo, and sums and products of
/// unbounded ones would overflow where they are used. Each refusal names the key and the range.
extension KeyedDecodingContainer {
    /// The integer at `key`, or nil when the key is absent; refused unless it lies in `range`.
    ///
    /// ```swift
    /// leaseSeconds = try c.integer(.leaseSeconds, in: 1...86_400, unit: "seconds") ?? 120
    /// ```
    public func integer(_ key: Key, in range: ClosedRange<Int>, unit: String? = nil) throws -> Int? {
        let unit = unit.map { " " + $0 } ?? ""
        let value: Int?
        do {
            value = try decodeIfPresent(Int.self, forKey: key)
        } catch {
            // A string, a fraction or a number past 64 bits. Foundation reports the last two with
            // an error of its parser that the decoder turns into "not valid JSON" at the top
            // level, so every such refusal is made here, at the key.
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be a whole number \(range.lowerBound)…\(range.upperBound)\(unit)")
        }
        guard let value else { return nil }
        guard range.contains(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be \(range.lowerBound)…\(range.upperBound)\(unit), not \(value)")
        }
        return value
    }

    /// The number at `key`, or nil when the key is absent; refused unless it is above 0 and at
    /// most `max`.
    public func positiveNumber(_ key: Key, atMost max: Double) throws -> Double? {
        let ceiling = max.rounded() == max && max.magnitude < 1e15 ? String(Int64(max)) : "\(max)"
        let value: Double?
        do {
            value = try decodeIfPresent(Double.self, forKey: key)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be a number above 0 and at most \(ceiling)")
        }
        guard let value else { return nil }
        guard value > 0, value <= max else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "must be positive and at most \(ceiling), not \(value)")
        }
        return value
    }
}
