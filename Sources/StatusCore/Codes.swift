/// ISO 3166-1 alpha-2 country codes (officially assigned), for validating users and ad targeting.
public enum CountryCode {
    /// Whether `code` is an assigned ISO 3166-1 alpha-2 code, upper case (`EG`, `BR`).
    public static func isAssigned(_ code: String) -> Bool { assigned.contains(code) }

    static let assigned: Set<String> = Set("""
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO \
        FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE \
        JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO \
        MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW \
        PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM \
        TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(separator: " ").map(String.init))
}

/// BCP 47 language tags, checked for shape: a 2–3 letter language, then optional script
/// (4 letters), region (2 letters or 3 digits) and variants (`ar`, `pt-BR`, `zh-Hant-TW`).
public enum LanguageTag {
    /// Whether `tag` is a well-formed language tag of that shape.
    public static func isWellFormed(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy(\.isASCIILetter),
              tag.utf8.count <= 35 else { return false }
        var index = 1
        if index < parts.count, parts[index].count == 4, parts[index].allSatisfy(\.isASCIILetter) { index += 1 }
        if index < parts.count,
           (parts[index].count == 2 && parts[index].allSatisfy(\.isASCIILetter))
            || (parts[index].count == 3 && parts[index].allSatisfy(\.isASCIIDigit)) { index += 1 }
        while index < parts.count {
            let part = parts[index]
            let alnum = part.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit }
            guard alnum, (5...8).contains(part.count) || (part.count == 4 && part.first!.isASCIIDigit) else { return false }
            index += 1
        }
        return true
    }
}

extension Character {
    var isASCIILetter: Bool { isASCII && isLetter }
    var isASCIIDigit: Bool { isASCII && isNumber }
}
