import Foundation

/// A moment, in whole seconds since the Unix epoch (UTC). Stored as an integer everywhere.
///
/// Time is always a parameter in the engine (`--at` on the command line), so expiry can be tested
/// and previewed without waiting.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64

    /// The moment `seconds` after the epoch.
    public init(seconds: Int64) { self.seconds = seconds }

    /// The current moment from the system clock.
    public static func now() -> Timestamp { Timestamp(seconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }

    /// Parses `2026-11-25T10:00:00Z`, `2026-11-25T12:00:00+02:00`, fractional seconds (dropped),
    /// or Unix seconds (`1795600000`). Returns nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed) {
            guard (0...253_402_300_799).contains(seconds) else { return nil }
            self.seconds = seconds
            return
        }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: trimmed) ?? fractional.date(from: trimmed) else { return nil }
        self.seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// `2026-11-25T10:00:00Z`.
    public var iso8601: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    public var description: String { iso8601 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    /// The moment `seconds` later.
    public static func + (a: Timestamp, seconds: Int64) -> Timestamp { Timestamp(seconds: a.seconds + seconds) }
}
