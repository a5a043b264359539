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
    /// A UTC day as `YYYY-MM-DD` (its midnight), or any time ``init(parsing:)`` takes.
    public init?(parsingDay text: String) {
        guard let time = Timestamp(parsing: text) ?? Timestamp(parsing: text + "T00:00:00Z") else { return nil }
        self = time
    }

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

    /// `2026-11-25T10:00:00Z` (computed directly, no formatter: feeds print many of these).
    public var iso8601: String {
        let (year, month, day) = civil
        let second = ((seconds % 86_400) + 86_400) % 86_400
        guard (0...9_999).contains(year) else {
            func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
            return String(year) + "-" + two(month) + "-" + two(day)
                + "T" + two(second / 3600) + ":" + two(second / 60 % 60) + ":" + two(second % 60) + "Z"
        }
        // The common case, written as bytes: this runs twice for every post in every feed.
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ value: Int64, _ digits: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(second / 3600, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(second / 60 % 60, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second % 60, 2, at: 17)
            buffer[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// The UTC calendar date (proleptic Gregorian), by Howard Hinnant's `civil_from_days`.
    public var civil: (year: Int64, month: Int64, day: Int64) {
        let days = (seconds >= 0 ? seconds : seconds - 86_399) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public var description: String { iso8601 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    /// The moment `seconds` later.
    public static func + (a: Timestamp, seconds: Int64) -> Timestamp { Timestamp(seconds: a.seconds + seconds) }
}
