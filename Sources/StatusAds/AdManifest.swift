import Foundation
import StatusCore

/// Limits an ad manifest is checked against; `config/` holds the same defaults.
public struct AdManifestLimits: Hashable, Sendable {
    /// Longest headline, in grapheme clusters.
    public var headlineMaxGraphemes = 60
    /// Longest advertiser name, in grapheme clusters.
    public var nameMaxGraphemes = 100
    /// Highest bid per thousand impressions, in micros (a typo guard: 1,000 units).
    public var maxBidCPMMicros: Int64 = 1_000_000_000
    /// Highest budget, in micros (10 million units).
    public var maxBudgetMicros: Int64 = 10_000_000_000_000
    /// Youngest age a campaign may target (the serving policy's minimum age).
    public var minimumAge = 18
    /// Frequency cap windows, in seconds.
    public var capWindow: ClosedRange<Int64> = 60...(90 * 86_400)
    /// Longest flight, in seconds.
    public var maxFlightSeconds: Int64 = 366 * 86_400

    public init() {}

    public static let `default` = AdManifestLimits()
}

/// One thing wrong with a manifest, and where: a JSON path (`$.campaigns[2].bid_cpm_micros`) or
/// a CSV line (`line 4, column headline`).
public struct ManifestError: Hashable, Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String

    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}

/// A checked manifest: the entries that passed, and every problem found.
public struct AdManifest: Sendable {
    public var advertisers: [Advertiser] = []
    public var campaigns: [Campaign] = []
    public var creatives: [Creative] = []
    /// Where each accepted creative is in the document (`$.creatives[3]`), for later problems.
    public var locations: [CreativeID: String] = [:]
    /// Every problem, in document order. Entries with a problem are not in the lists above, nor
    /// are entries that depend on them (a campaign of a refused advertiser).
    public var errors: [ManifestError] = []

    public init() {}

    /// Parses and checks the JSON form:
    /// `{"advertisers": [{"id", "name", "chat"}], "campaigns": [{"id", "advertiser",
    /// "bid_cpm_micros", "daily_budget_micros", "total_budget_micros", "start", "end",
    /// "targeting": {"countries", "languages", "age": [MIN, MAX]}, "pacing", "frequency_caps":
    /// [{"scope", "max", "window_s"}]}], "creatives": [{"id", "campaign", "media", "headline",
    /// "cta": {"type": "message"|"visit", "url"}}]}`. Media are only checked as paths here (relative,
    /// inside the manifest's folder); the engine validates the files.
    /// `loaded` maps campaigns already in the store to their advertiser's chat handle, so that
    /// creatives may be added to them.
    public static func parse(json data: [UInt8], loaded: [CampaignID: String?] = [:], limits: AdManifestLimits = .default) -> AdManifest {
        var manifest = AdManifest()
        let root: JSONNode
        do {
            root = try JSONDecoder().decode(JSONNode.self, from: Data(data))
        } catch {
            manifest.errors.append(JSONNode.unreadable(error))
            return manifest
        }
        var checker = Checker(limits: limits)
        checker.loadedCampaigns = loaded
        checker.check(root)
        manifest.advertisers = checker.advertisers
        manifest.campaigns = checker.campaigns
        manifest.creatives = checker.creatives
        manifest.locations = checker.locations
        manifest.errors = checker.errors
        return manifest
    }
}

/// Any JSON value, numbers kept apart as integers (which money must be) and others.
indirect enum JSONNode: Decodable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: JSONNode] = [:]
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONNode.self, forKey: key) }
            self = .object(object)
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var array: [JSONNode] = []
            while !list.isAtEnd { array.append(try list.decode(JSONNode.self)) }
            self = .array(array)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let decimal = try? value.decode(Decimal.self) {
            // Read as a decimal, not a double: `999999999.9999999999` is a fraction, which a
            // double would round to the integer 1000000000 and let through.
            self = Self.integer(exactly: decimal).map(JSONNode.int) ?? .number(NSDecimalNumber(decimal: decimal).doubleValue)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else {
            do {
                self = .string(try value.decode(String.self))
            } catch DecodingError.typeMismatch {
                // A number that no decimal or double holds (`1e400`), reported at its field. A
                // malformed string (a bad escape, bad UTF-8) keeps its own error and field.
                throw DecodingError.dataCorruptedError(in: value, debugDescription: "a number out of range")
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// `decimal` as an Int64 if it is a whole number in range.
    static func integer(exactly decimal: Decimal) -> Int64? {
        guard decimal.isFinite, decimal >= Decimal(Int64.min), decimal <= Decimal(Int64.max) else { return nil }
        var value = decimal, whole = Decimal()
        NSDecimalRound(&whole, &value, 0, .plain)
        guard whole == decimal else { return nil }
        return Int64(NSDecimalNumber(decimal: whole).stringValue)
    }

    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Where a document that could not be read went wrong, and why: a number no decimal or double
    /// holds (`1e400`) is valid JSON, reported at its field; anything else is not JSON, at `$`.
    static func unreadable(_ error: any Error) -> ManifestError {
        if case DecodingError.dataCorrupted(let context) = error, !context.codingPath.isEmpty {
            let path = context.codingPath.reduce("$") { path, key in
                key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)"
            }
            return ManifestError(location: path, reason: context.debugDescription)
        }
        return ManifestError(location: "$", reason: "not JSON: \(describe(error))")
    }
}

/// Walks the document, collecting good entries and every problem.
struct Checker {
    let limits: AdManifestLimits
    var advertisers: [Advertiser] = []
    var campaigns: [Campaign] = []
    var creatives: [Creative] = []
    var locations: [CreativeID: String] = [:]
    var errors: [ManifestError] = []
    /// Ids seen, good or bad, for duplicates and dangling references.
    var advertiserIDs: [String: Bool] = [:]
    var campaignIDs: [String: Bool] = [:]
    var creativeIDs: Set<String> = []
    /// Campaigns already in the store (the CSV form), with their advertiser's chat handle.
    var loadedCampaigns: [CampaignID: String?] = [:]

    init(limits: AdManifestLimits) { self.limits = limits }

    /// The chat handle of the advertiser behind `campaign`: in this manifest or already loaded.
    func chat(of campaign: CampaignID) -> String?? {
        if let owner = campaigns.first(where: { $0.id == campaign })?.advertiser {
            return .some(advertisers.first { $0.id == owner }?.chat ?? nil)
        }
        return loadedCampaigns[campaign]
    }

    mutating func fail(_ path: String, _ reason: String) { errors.append(ManifestError(location: path, reason: reason)) }

    mutating func check(_ root: JSONNode) {
        guard case .object(let top) = root else {
            fail("$", "expected an object with advertisers, campaigns and creatives, found \(root.kind)")
            return
        }
        unknownKeys(top, known: ["advertisers", "campaigns", "creatives"], at: "$")
        for (name, checkOne) in [("advertisers", Self.advertiser), ("campaigns", Self.campaign), ("creatives", Self.creative)] as
            [(String, (inout Checker, [String: JSONNode], String) -> Void)] {
            guard let value = top[name] else { continue }
            guard case .array(let items) = value else {
                fail("$.\(name)", "expected an array, found \(value.kind)")
                continue
            }
            for (index, item) in items.enumerated() {
                let path = "$.\(name)[\(index)]"
                guard case .object(let fields) = item else {
                    fail(path, "expected an object, found \(item.kind)")
                    continue
                }
                checkOne(&self, fields, path)
            }
        }
        if top["advertisers"] == nil && top["campaigns"] == nil && top["creatives"] == nil {
            fail("$", "the manifest holds no advertisers, campaigns or creatives")
        }
    }

    mutating func unknownKeys(_ fields: [String: JSONNode], known: Set<String>, at path: String) {
        for key in fields.keys.sorted() where !known.contains(key) {
            fail("\(path).\(key)", "unknown field; expected one of \(known.sorted().joined(separator: ", "))")
        }
    }

    // MARK: Field readers (nil after reporting the problem)

    mutating func string(_ fields: [String: JSONNode], _ key: String, at path: String, required: Bool = true) -> String? {
        switch fields[key] {
        case .string(let value)? where value.utf8.contains(0):
            // SQLite's C strings would end at the NUL and store less than was loaded.
            fail("\(path).\(key)", "contains a NUL character (U+0000)")
            return nil
        case .string(let value)?: return value
        case nil, .null?:
            if required { fail("\(path).\(key)", "missing") }
            return nil
        case let other?:
            fail("\(path).\(key)", "expected a string, found \(other.kind)")
            return nil
        }
    }

    mutating func money(_ fields: [String: JSONNode], _ key: String, at path: String, max: Int64) -> Int64? {
        switch fields[key] {
        case .int(let value)?:
            guard value > 0 else {
                fail("\(path).\(key)", "must be positive (integer micro-units), got \(value)")
                return nil
            }
            guard value <= max else {
                fail("\(path).\(key)", "\(value) is over the limit of \(max) micro-units")
                return nil
            }
            return value
        case .number?:
            fail("\(path).\(key)", "must be an integer number of micro-units (no fractions, at most 9223372036854775807)")
        case nil, .null?:
            fail("\(path).\(key)", "missing")
        case let other?:
            fail("\(path).\(key)", "expected an integer number of micro-units, found \(other.kind)")
        }
        return nil
    }

    mutating func id<ID: InventoryIdentifier>(_ fields: [String: JSONNode], _ key: String, at path: String, as: ID.Type) -> ID? {
        guard let raw = string(fields, key, at: path) else { return nil }
        guard let id = ID(rawValue: raw) else {
            fail("\(path).\(key)", "not \(ID.explanation): \(raw.debugDescription)")
            return nil
        }
        return id
    }

    mutating func time(_ fields: [String: JSONNode], _ key: String, at path: String) -> Timestamp? {
        guard let raw = string(fields, key, at: path) else { return nil }
        guard raw.hasSuffix("Z"), raw.contains("T"), let time = Timestamp(parsing: raw) else {
            fail("\(path).\(key)", "not an ISO 8601 time in UTC (2026-11-25T00:00:00Z): \(raw.debugDescription)")
            return nil
        }
        return time
    }

    // MARK: Entries

    static func advertiser(_ checker: inout Checker, _ fields: [String: JSONNode], _ path: String) {
        checker.unknownKeys(fields, known: ["id", "name", "chat"], at: path)
        let id = checker.id(fields, "id", at: path, as: AdvertiserID.self)
        var good = id != nil
        if let id, checker.advertiserIDs[id.rawValue] != nil {
            checker.fail("\(path).id", "duplicate advertiser id \(id)")
            good = false
        }
        let name = checker.string(fields, "name", at: path)
        if let name {
            let length = name.trimmingCharacters(in: .whitespacesAndNewlines).count
            if length == 0 || name.count > checker.limits.nameMaxGraphemes {
                checker.fail("\(path).name", "must be 1–\(checker.limits.nameMaxGraphemes) characters")
                good = false
            }
        } else {
            good = false
        }
        let chat = checker.string(fields, "chat", at: path, required: false)
        if let chat, !Self.isChatHandle(chat) {
            checker.fail("\(path).chat", "not a chat handle (a phone number +<digits> or 3–64 characters of A–Z a–z 0–9 _ .): \(chat.debugDescription)")
            good = false
        }
        if let id { checker.advertiserIDs[id.rawValue] = checker.advertiserIDs[id.rawValue] == nil && good }
        if good, let id, let name { checker.advertisers.append(Advertiser(id: id, name: name, chat: chat)) }
    }

    static func isChatHandle(_ raw: String) -> Bool {
        if raw.hasPrefix("+") {
            let digits = raw.dropFirst()
            return (6...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return (3...64).contains(raw.utf8.count) && raw.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E
        }
    }

    static func campaign(_ checker: inout Checker, _ fields: [String: JSONNode], _ path: String) {
        checker.unknownKeys(fields, known: ["id", "advertiser", "bid_cpm_micros", "daily_budget_micros", "total_budget_micros",
                                            "start", "end", "targeting", "pacing", "frequency_caps"], at: path)
        let errorsBefore = checker.errors.count
        let id = checker.id(fields, "id", at: path, as: CampaignID.self)
        if let id, checker.campaignIDs[id.rawValue] != nil { checker.fail("\(path).id", "duplicate campaign id \(id)") }
        let advertiser = checker.id(fields, "advertiser", at: path, as: AdvertiserID.self)
        if let advertiser {
            switch checker.advertiserIDs[advertiser.rawValue] {
            case nil: checker.fail("\(path).advertiser", "no advertiser \(advertiser) in this manifest")
            case false?: checker.fail("\(path).advertiser", "advertiser \(advertiser) was refused")
            case true?: break
            }
        }
        let limits = checker.limits
        let bid = checker.money(fields, "bid_cpm_micros", at: path, max: limits.maxBidCPMMicros)
        let daily = checker.money(fields, "daily_budget_micros", at: path, max: limits.maxBudgetMicros)
        let total = checker.money(fields, "total_budget_micros", at: path, max: limits.maxBudgetMicros)
        if let daily, let total, daily > total {
            checker.fail("\(path).daily_budget_micros", "the daily budget \(daily) is over the total budget \(total)")
        }
        let start = checker.time(fields, "start", at: path)
        let end = checker.time(fields, "end", at: path)
        if let start, let end {
            if end <= start {
                checker.fail("\(path).end", "the flight ends (\(end)) before it starts (\(start))")
            } else if end.seconds - start.seconds > limits.maxFlightSeconds {
                checker.fail("\(path).end", "the flight is longer than \(limits.maxFlightSeconds / 86_400) days")
            }
        }
        var pacing = Pacing.even
        if let raw = checker.string(fields, "pacing", at: path, required: false) {
            if let value = Pacing(rawValue: raw) { pacing = value } else { checker.fail("\(path).pacing", "expected even or asap, got \(raw.debugDescription)") }
        }
        let targeting = Self.targeting(&checker, fields["targeting"], at: "\(path).targeting")
        let caps = Self.caps(&checker, fields["frequency_caps"], at: "\(path).frequency_caps")
        let good = checker.errors.count == errorsBefore
        if let id, checker.campaignIDs[id.rawValue] == nil { checker.campaignIDs[id.rawValue] = good }
        guard good, let id, let advertiser, let bid, let daily, let total, let start, let end else { return }
        checker.campaigns.append(Campaign(id: id, advertiser: advertiser, bidCPMMicros: bid, dailyBudgetMicros: daily,
                                          totalBudgetMicros: total, start: start, end: end, targeting: targeting,
                                          pacing: pacing, frequencyCaps: caps))
    }

    static func targeting(_ checker: inout Checker, _ node: JSONNode?, at path: String) -> Targeting {
        guard let node, case .object(let fields) = node else {
            if let node, case .null = node {} else if let node { checker.fail(path, "expected an object, found \(node.kind)") }
            return .anyone
        }
        checker.unknownKeys(fields, known: ["countries", "languages", "age"], at: path)
        func list(_ key: String, _ valid: (String) -> Bool, _ what: String) -> [String] {
            guard let value = fields[key] else { return [] }
            guard case .array(let items) = value else {
                checker.fail("\(path).\(key)", "expected an array of \(what), found \(value.kind)")
                return []
            }
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let raw) = item, valid(raw) else {
                    let found: String
                    if case .string(let raw) = item { found = raw.debugDescription } else { found = item.kind }
                    checker.fail("\(path).\(key)[\(index)]", "not \(what): \(found)")
                    continue
                }
                out.append(raw)
            }
            return out
        }
        let countries = list("countries", CountryCode.isAssigned, "an ISO 3166-1 alpha-2 country code (EG)")
        let languages = list("languages", LanguageTag.isWellFormed, "a BCP 47 language tag (ar, pt-BR)")
        var ages: ClosedRange<Int>?
        if let value = fields["age"] {
            if case .array(let pair) = value, pair.count == 2, case .int(let low) = pair[0], case .int(let high) = pair[1] {
                if low < checker.limits.minimumAge || high > 120 || low > high {
                    checker.fail("\(path).age", "expected [MIN, MAX] with \(checker.limits.minimumAge) ≤ MIN ≤ MAX ≤ 120, got [\(low), \(high)]")
                } else {
                    ages = Int(low)...Int(high)
                }
            } else {
                checker.fail("\(path).age", "expected [MIN, MAX] (two whole numbers), found \(value.kind)")
            }
        }
        return Targeting(countries: countries, languages: languages, ages: ages)
    }

    static func caps(_ checker: inout Checker, _ node: JSONNode?, at path: String) -> [FrequencyCap] {
        guard let node else { return [] }
        guard case .array(let items) = node else {
            checker.fail(path, "expected an array, found \(node.kind)")
            return []
        }
        var caps: [FrequencyCap] = []
        for (index, item) in items.enumerated() {
            let at = "\(path)[\(index)]"
            guard case .object(let fields) = item else {
                checker.fail(at, "expected an object, found \(item.kind)")
                continue
            }
            checker.unknownKeys(fields, known: ["scope", "max", "window_s"], at: at)
            let scope = checker.string(fields, "scope", at: at).flatMap { raw -> FrequencyCap.Scope? in
                guard let scope = FrequencyCap.Scope(rawValue: raw) else {
                    checker.fail("\(at).scope", "expected campaign or advertiser, got \(raw.debugDescription)")
                    return nil
                }
                return scope
            }
            var max: Int?
            if case .int(let value)? = fields["max"], (1...1_000).contains(value) { max = Int(value) } else {
                checker.fail("\(at).max", "expected a whole number from 1 to 1000")
            }
            var window: Int64?
            let range = checker.limits.capWindow
            if case .int(let value)? = fields["window_s"], range.contains(value) { window = value } else {
                checker.fail("\(at).window_s", "expected a whole number of seconds from \(range.lowerBound) to \(range.upperBound)")
            }
            if let scope, let max, let window { caps.append(FrequencyCap(scope: scope, max: max, windowSeconds: window)) }
        }
        return caps
    }

    static func creative(_ checker: inout Checker, _ fields: [String: JSONNode], _ path: String) {
        checker.unknownKeys(fields, known: ["id", "campaign", "media", "headline", "cta"], at: path)
        let errorsBefore = checker.errors.count
        let id = checker.id(fields, "id", at: path, as: CreativeID.self)
        if let id, !checker.creativeIDs.insert(id.rawValue).inserted { checker.fail("\(path).id", "duplicate creative id \(id)") }
        let campaign = checker.id(fields, "campaign", at: path, as: CampaignID.self)
        if let campaign, checker.loadedCampaigns[campaign] == nil {
            switch checker.campaignIDs[campaign.rawValue] {
            case nil: checker.fail("\(path).campaign", "no campaign \(campaign) in this manifest or loaded before")
            case false?: checker.fail("\(path).campaign", "campaign \(campaign) was refused")
            case true?: break
            }
        }
        let media = checker.string(fields, "media", at: path)
        if let media, !RelativePath.isPlain(media) {
            checker.fail("\(path).media", "must be a path inside the manifest's folder, made of plain names (no `..`, `.`, hidden, empty or absolute parts): \(media.debugDescription)")
        }
        let headline = checker.string(fields, "headline", at: path)
        if let headline {
            let length = headline.count
            if headline.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || length > checker.limits.headlineMaxGraphemes {
                checker.fail("\(path).headline", "must be 1–\(checker.limits.headlineMaxGraphemes) characters, got \(length)")
            }
        }
        var cta: CallToAction?
        switch fields["cta"] {
        case .object(let action)?:
            checker.unknownKeys(action, known: ["type", "url"], at: "\(path).cta")
            switch checker.string(action, "type", at: "\(path).cta") {
            case "message"?:
                if action["url"] != nil { checker.fail("\(path).cta.url", "a message CTA opens a chat and takes no url") }
                cta = .message
                if let campaign, case .some(.none) = checker.chat(of: campaign) {
                    checker.fail("\(path).cta", "a message CTA needs a chat handle, and the advertiser of \(campaign) has none")
                }
            case "visit"?:
                if let url = checker.string(action, "url", at: "\(path).cta") {
                    if Self.isHTTPSURL(url) { cta = .visit(url: url) } else {
                        checker.fail("\(path).cta.url", "expected an https URL with a host, got \(url.debugDescription)")
                    }
                }
            case let other?:
                checker.fail("\(path).cta.type", "expected message or visit, got \(other.debugDescription)")
            case nil:
                break
            }
        case nil, .null?:
            checker.fail("\(path).cta", "missing")
        case let other?:
            checker.fail("\(path).cta", "expected an object, found \(other.kind)")
        }
        guard checker.errors.count == errorsBefore, let id, let campaign, let media, let headline, let cta else { return }
        checker.creatives.append(Creative(id: id, campaign: campaign, media: media, headline: headline, callToAction: cta))
        checker.locations[id] = path
    }

    static func isHTTPSURL(_ raw: String) -> Bool {
        guard raw.utf8.count <= 2_048, let url = URL(string: raw), url.scheme?.lowercased() == "https",
              let host = url.host, !host.isEmpty, !raw.contains(where: { $0.isWhitespace }) else { return false }
        return true
    }
}

extension AdManifest {
    /// The CSV form, for creatives of campaigns already loaded: a header row naming the columns
    /// `id,campaign,media,headline,cta_type,cta_url` (any order; `cta_url` only for `visit`),
    /// then one creative a line; RFC 4180 quoting (fields with commas, quotes or line breaks in
    /// double quotes, a quote doubled). `campaigns` maps each loaded campaign to its advertiser's
    /// chat handle (nil when it has none). Problems are located as `line N, column C`.
    public static func parse(csv data: [UInt8], campaigns: [CampaignID: String?], limits: AdManifestLimits = .default) -> AdManifest {
        var manifest = AdManifest()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let records: [(line: Int, fields: [String])]
        do {
            records = try CSV.records(text)
        } catch let error as CSV.Problem {
            manifest.errors.append(ManifestError(location: "line \(error.line)", reason: error.reason))
            return manifest
        } catch {
            manifest.errors.append(ManifestError(location: "line 1", reason: "\(error)"))
            return manifest
        }
        guard let header = records.first else {
            manifest.errors.append(ManifestError(location: "line 1", reason: "empty: expected a header row id,campaign,media,headline,cta_type,cta_url"))
            return manifest
        }
        let known = ["id", "campaign", "media", "headline", "cta_type", "cta_url"]
        var column: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            let name = name.trimmingCharacters(in: .whitespaces)
            if !known.contains(name) {
                manifest.errors.append(ManifestError(location: "line \(header.line), column \(index + 1)", reason: "unknown column \(name.debugDescription); expected \(known.joined(separator: ", "))"))
            } else if column[name] != nil {
                manifest.errors.append(ManifestError(location: "line \(header.line), column \(index + 1)", reason: "column \(name) appears twice"))
            } else {
                column[name] = index
            }
        }
        for name in known.dropLast() where column[name] == nil {
            manifest.errors.append(ManifestError(location: "line \(header.line)", reason: "missing column \(name)"))
        }
        guard manifest.errors.isEmpty else { return manifest }
        var seen = Set<String>()
        for record in records.dropFirst() where !(record.fields.count == 1 && record.fields[0].isEmpty) {
            var fields: [String: JSONNode] = [:]
            for (name, index) in column where index < record.fields.count {
                let value = record.fields[index]
                if !value.isEmpty { fields[name] = .string(value) }
            }
            if record.fields.count != header.fields.count {
                manifest.errors.append(ManifestError(location: "line \(record.line)", reason: "\(record.fields.count) fields, the header has \(header.fields.count)"))
                continue
            }
            // The same checks as the JSON form, with the CSV's columns as the entry's fields.
            var cta: [String: JSONNode] = [:]
            if let type = fields.removeValue(forKey: "cta_type") { cta["type"] = type }
            if let url = fields.removeValue(forKey: "cta_url") { cta["url"] = url }
            fields["cta"] = .object(cta)
            var checker = Checker(limits: limits)
            checker.loadedCampaigns = campaigns
            Checker.creative(&checker, fields, "line \(record.line)")
            for error in checker.errors {
                let field = error.location.split(separator: ".").dropFirst().joined(separator: ".")
                let columnName = field.hasPrefix("cta.") ? "cta_" + field.dropFirst(4) : field == "cta" ? "cta_type" : field
                let location = columnName.isEmpty ? "line \(record.line)" : "line \(record.line), column \(columnName)"
                manifest.errors.append(ManifestError(location: location, reason: error.reason))
            }
            if let creative = checker.creatives.first {
                guard seen.insert(creative.id.rawValue).inserted else {
                    manifest.errors.append(ManifestError(location: "line \(record.line), column id", reason: "duplicate creative id \(creative.id)"))
                    continue
                }
                manifest.creatives.append(creative)
                manifest.locations[creative.id] = "line \(record.line)"
            }
        }
        return manifest
    }
}

/// RFC 4180 records, with the line each starts on.
enum CSV {
    struct Problem: Error {
        var line: Int
        var reason: String
    }

    static func records(_ text: String) throws -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var line = 1, recordLine = 1
        var characters = Array(text)
        if characters.last != "\n" { characters.append("\n") }
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < characters.count && characters[i + 1] == "\"" {
                        field.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else if c == "\r\n" || c == "\n" || c == "\r" {
                    // A line break inside quotes is part of the field, written as "\n".
                    line += 1
                    field.append("\n")
                } else {
                    field.append(c)
                }
            } else {
                switch c {
                case "\"":
                    guard field.isEmpty, !wasQuoted else { throw Problem(line: line, reason: "a quote inside an unquoted field") }
                    quoted = true
                    wasQuoted = true
                case ",":
                    fields.append(field)
                    field = ""
                    wasQuoted = false
                case "\r\n", "\n", "\r":
                    fields.append(field)
                    records.append((recordLine, fields))
                    fields = []
                    field = ""
                    wasQuoted = false
                    line += 1
                    recordLine = line
                default:
                    guard !wasQuoted else { throw Problem(line: line, reason: "text after a closing quote") }
                    field.append(c)
                }
            }
            i += 1
        }
        if quoted { throw Problem(line: recordLine, reason: "a quoted field is not closed") }
        return records
    }
}
