import Foundation
import StatusCore
import Testing

@Suite struct CoreTypesTests {
    @Test(arguments: [Int64(0), 951_782_400, 1_795_600_000, 1_795_651_199, 4_102_444_800, 253_402_300_799, -86_401])
    func timestampsPrintAsFoundationDoes(_ seconds: Int64) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        #expect(Timestamp(seconds: seconds).iso8601 == expected)
        if seconds >= 0 { #expect(Timestamp(parsing: expected) == Timestamp(seconds: seconds)) }
    }

    @Test func timestampsParseISO8601WithOffsetsAndUnixSeconds() {
        #expect(Timestamp(parsing: "2026-11-25T12:00:00+02:00")?.iso8601 == "2026-11-25T10:00:00Z")
        #expect(Timestamp(parsing: "2026-11-25T10:00:00.750Z")?.iso8601 == "2026-11-25T10:00:00Z")
        #expect(Timestamp(parsing: "1795600000")?.seconds == 1_795_600_000)
        #expect(Timestamp(parsing: "2024-02-29T23:59:59-05:30")?.iso8601 == "2024-03-01T05:29:59Z")
        #expect(Timestamp(parsing: "2026-11-25t10:00:00.123456789z")?.iso8601 == "2026-11-25T10:00:00Z")
        #expect(Timestamp(parsing: "1970-01-01T00:00:00Z")?.seconds == 0 && Timestamp(parsing: "9999-12-31T23:59:59Z")?.seconds == 253_402_300_799)
        for bad in ["", "yesterday", "2026-11-25", "-5", "2026-13-01T00:00:00Z", "99999999999999999999",
                    // Nothing may follow the offset; every field is a real one; 1970 to 9999 only.
                    "2026-11-25T10:00:00Z*", "2026-11-25T10:00:00.5Zabc", "2026-11-25T10:00:00", "2026-11-25T10:00:00.Z",
                    "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z",
                    "2026-11-25T10:00:60Z", "2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00+0200", "2026-11-25 10:00:00Z",
                    "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "+2026-11-25T10:00:00Z", "２０２６-11-25T10:00:00Z"] {
            #expect(Timestamp(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func idsRefuseAnythingThatCouldNameAPath() {
        #expect(UserID(rawValue: "u1") != nil)
        #expect(UserID(rawValue: "+20 100") == nil)
        #expect(UserID(rawValue: "") == nil)
        #expect(UserID(rawValue: String(repeating: "a", count: 65)) == nil)
        #expect(BlobID(rawValue: "../" + String(repeating: "a", count: 61)) == nil)
        #expect(BlobID(rawValue: String(repeating: "A", count: 64)) == nil, "upper case hex is not an id")
        #expect(BlobID(rawValue: String(repeating: "0f", count: 32)) != nil)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let id = PostID(using: &generator)
            #expect(PostID(rawValue: id.rawValue) == id)
        }
        #expect(PostID(rawValue: "p0000000000000000000i") == nil)
    }

    @Test func audienceModes() {
        let (a, b) = (UserID("a"), UserID("b"))
        #expect(Audience.contacts.admits(a))
        #expect(!Audience(mode: .contactsExcept, list: [b, a, a]).admits(a))
        #expect(Audience(mode: .contactsExcept, list: [b]).admits(a))
        #expect(Audience(mode: .onlyShareWith, list: [b]).admits(b))
        #expect(!Audience(mode: .onlyShareWith, list: [b]).admits(a))
        #expect(Audience(mode: .contacts, list: [a]).list.isEmpty)
    }

    @Test func countryAndLanguageCodes() {
        for code in ["EG", "SA", "BR", "US", "IN", "SS", "XK"] where code != "XK" { #expect(CountryCode.isAssigned(code)) }
        for code in ["XX", "eg", "EGY", "", "UK", "XK"] { #expect(!CountryCode.isAssigned(code), "\(code)") }
        for tag in ["ar", "pt-BR", "zh-Hant-TW", "es-419", "de-CH-1996", "fil"] { #expect(LanguageTag.isWellFormed(tag), "\(tag)") }
        for tag in ["", "a", "arabic", "pt_BR", "en-", "en--US", "not a tag", "ar-EG-x"] { #expect(!LanguageTag.isWellFormed(tag), "\(tag)") }
    }
}
