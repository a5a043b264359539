import StatusCore

/// What ad targeting may know of a viewer: country, language and age (never contacts, messages
/// or statuses).
public struct AdAudienceMember: Hashable, Sendable {
    public var country: String?
    public var language: String?
    public var age: Int?

    public init(country: String?, language: String?, age: Int?) {
        self.country = country
        self.language = language
        self.age = age
    }
}

extension Targeting {
    /// Whether a viewer with these attributes is in the target. An unknown attribute matches
    /// only a campaign that does not constrain it. A campaign language `pt` takes `pt-BR`
    /// viewers; `pt-BR` does not take `pt` or `pt-PT` ones.
    public func admits(_ viewer: AdAudienceMember) -> Bool {
        if !countries.isEmpty {
            guard let country = viewer.country, countries.contains(country) else { return false }
        }
        if !languages.isEmpty {
            guard let language = viewer.language else { return false }
            let primary = TargetingIndex.primary(language)
            guard languages.contains(language) || languages.contains(primary) else { return false }
        }
        if let ages {
            guard let age = viewer.age, ages.contains(age) else { return false }
        }
        return true
    }
}

/// An index of campaigns' targeting for finding, best first, the campaigns a viewer matches,
/// without scanning the inventory (in the spirit of Whang et al., "Indexing Boolean
/// Expressions", VLDB 2009, for conjunctions of ∈ predicates).
///
/// Each campaign is a conjunction over three attributes: country ∈ C, language ∈ L, age ∈ [a, b],
/// any of which may be unconstrained. Campaigns are numbered by rank (best first, as the caller
/// orders them). For each attribute there is a posting list per value and one for "any"; a
/// campaign sits in the lists of its values, or in "any" when it does not constrain the attribute.
/// A viewer's matches are the intersection, over the three attributes, of the union of the lists
/// for the viewer's values and "any". The lists are sorted by rank, so the intersection is a merge
/// that yields the best-ranked matches first and stops as soon as the caller has enough.
public struct TargetingIndex: Sendable {
    /// The campaigns, by rank.
    public let campaigns: [Campaign]
    private let countries: [String: [Int32]]
    private let languages: [String: [Int32]]
    /// Ages 0...120, one list each.
    private let ages: [[Int32]]
    private let anyCountry: [Int32]
    private let anyLanguage: [Int32]
    private let anyAge: [Int32]

    static let maxAge = 120

    /// Indexes `campaigns` in the given order (rank 0 first).
    public init(ranked campaigns: [Campaign]) {
        self.campaigns = campaigns
        var countries: [String: [Int32]] = [:], languages: [String: [Int32]] = [:]
        var ages = [[Int32]](repeating: [], count: Self.maxAge + 1)
        var anyCountry: [Int32] = [], anyLanguage: [Int32] = [], anyAge: [Int32] = []
        for (rank, campaign) in campaigns.enumerated() {
            let r = Int32(rank)
            let targeting = campaign.targeting
            if targeting.countries.isEmpty { anyCountry.append(r) } else { for c in targeting.countries { countries[c, default: []].append(r) } }
            if targeting.languages.isEmpty { anyLanguage.append(r) } else { for l in targeting.languages { languages[l, default: []].append(r) } }
            if let range = targeting.ages {
                for age in max(0, range.lowerBound)...min(Self.maxAge, range.upperBound) { ages[age].append(r) }
            } else {
                anyAge.append(r)
            }
        }
        self.countries = countries
        self.languages = languages
        self.ages = ages
        self.anyCountry = anyCountry
        self.anyLanguage = anyLanguage
        self.anyAge = anyAge
    }

    /// `pt` of `pt-BR`.
    static func primary(_ language: String) -> String {
        language.split(separator: "-", maxSplits: 1).first.map(String.init) ?? language
    }

    /// Calls `visit` with the ranks of the campaigns `viewer` matches, best first, until it
    /// returns false.
    public func forEachMatch(_ viewer: AdAudienceMember, _ visit: (Int) -> Bool) {
        var countryLists = [anyCountry]
        if let country = viewer.country, let list = countries[country] { countryLists.append(list) }
        var languageLists = [anyLanguage]
        if let language = viewer.language {
            if let list = languages[language] { languageLists.append(list) }
            let primary = Self.primary(language)
            if primary != language, let list = languages[primary] { languageLists.append(list) }
        }
        var ageLists = [anyAge]
        if let age = viewer.age, (0...Self.maxAge).contains(age) { ageLists.append(ages[age]) }
        var streams = [Union(countryLists), Union(languageLists), Union(ageLists)]
        // Leapfrog: move every stream to the largest current head until they agree.
        while true {
            var target: Int32 = -1
            for stream in streams {
                guard let head = stream.head else { return }
                target = max(target, head)
            }
            var agreed = true
            for i in streams.indices {
                streams[i].advance(toAtLeast: target)
                guard let head = streams[i].head else { return }
                if head != target { agreed = false }
            }
            guard agreed else { continue }
            if !visit(Int(target)) { return }
            for i in streams.indices { streams[i].advance(toAtLeast: target + 1) }
        }
    }

    /// The ranks of every campaign `viewer` matches, best first.
    public func matches(_ viewer: AdAudienceMember) -> [Int] {
        var all: [Int] = []
        forEachMatch(viewer) { all.append($0); return true }
        return all
    }

    /// The sorted union of a few sorted lists, read in order.
    private struct Union {
        var lists: [[Int32]]
        var positions: [Int]

        init(_ lists: [[Int32]]) {
            self.lists = lists.filter { !$0.isEmpty }
            positions = [Int](repeating: 0, count: self.lists.count)
        }

        var head: Int32? {
            var best: Int32?
            for i in lists.indices where positions[i] < lists[i].count {
                let value = lists[i][positions[i]]
                if best == nil || value < best! { best = value }
            }
            return best
        }

        /// Skips entries below `target` (binary search within each list).
        mutating func advance(toAtLeast target: Int32) {
            for i in lists.indices where positions[i] < lists[i].count && lists[i][positions[i]] < target {
                var low = positions[i], high = lists[i].count
                while low < high {
                    let mid = (low + high) / 2
                    if lists[i][mid] < target { low = mid + 1 } else { high = mid }
                }
                positions[i] = low
            }
        }
    }
}
