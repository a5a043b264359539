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
            guard (0...Self.latest).contains(seconds) else { return nil }
            self.seconds = seconds
            return
        }
        guard let seconds = Self.parseInternetTime(Array(trimmed.utf8)), (0...Self.latest).contains(seconds) else { return nil }
        self.seconds = seconds
    }

    /// 9999-12-31T23:59:59Z: times are between the Unix epoch and the end of year 9999.
    static let latest: Int64 = 253_402_300_799

    /// RFC 3339 (`2026-11-25T10:00:00Z`, `2026-11-25T12:00:00.750+02:00`): every field checked
    /// (a real calendar day, hours 00–23, minutes and seconds 00–59), nothing after the offset;
    /// fractional seconds are dropped. Seconds since the epoch, or nil.
    static func parseInternetTime(_ b: [UInt8]) -> Int64? {
        func digits(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= b.count else { return nil }
            var value: Int64 = 0
            for index in at..<(at + count) {
                guard (0x30...0x39).contains(b[index]) else { return nil }
                value = value * 10 + Int64(b[index] - 0x30)
            }
            return value
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2), (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[Int(month) - 1] else { return nil }
        var index = 19
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < b.count, (0x30...0x39).contains(b[index]) { index += 1 }
            guard index > start else { return nil }
        }
        guard index < b.count else { return nil }
        var offset: Int64 = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let hours = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                  let minutes = digits(index + 4, 2), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3_600 + minutes * 60) * (b[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        // Days from the civil date (Howard Hinnant's `days_from_civil`).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + hour * 3_600 + minute * 60 + second - offset
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
