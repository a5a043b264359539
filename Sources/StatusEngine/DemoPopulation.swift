import Foundation
import StatusMedia

/// A deterministic synthetic population for demos, tests and benchmarks: users with a contact
/// graph whose degrees spread around a mean (log-normal, with neighbourhoods and a few one-way
/// contacts and blocks), every privacy mode, posts of all three kinds over the last 24 hours by a
/// share of the users, views and mutes. The same parameters and seed give the same population.
public struct DemoPopulation: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var users: Int
        /// Mean number of contacts per user.
        public var contacts: Int
        /// Share of users who have live posts (0...1).
        public var posters: Double
        /// Posts per poster, drawn uniformly from this range.
        public var postsPerPoster: ClosedRange<Int>
        /// Share of visible posts each viewer has seen.
        public var viewed: Double
        /// Share of contacts each viewer has muted.
        public var muted: Double
        public var seed: UInt64

        public init(users: Int, contacts: Int, posters: Double = 0.4, postsPerPoster: ClosedRange<Int> = 1...5,
                    viewed: Double = 0.3, muted: Double = 0.03, seed: UInt64 = 1) {
            self.users = users
            self.contacts = contacts
            self.posters = posters
            self.postsPerPoster = postsPerPoster
            self.viewed = viewed
            self.muted = muted
            self.seed = seed
        }

        /// Why these parameters cannot make a population, or nil.
        public var problem: String? {
            if users < 2 || users > 10_000_000 { return "users must be between 2 and 10000000" }
            if contacts < 1 || contacts >= users { return "contacts must be at least 1 and fewer than users" }
            if !(0...1).contains(posters) { return "posters must be between 0 and 1" }
            if postsPerPoster.lowerBound < 1 || postsPerPoster.upperBound > 30 { return "posts per poster must be within 1...30" }
            if !(0...1).contains(viewed) || !(0...1).contains(muted) { return "viewed and muted must be between 0 and 1" }
            return nil
        }
    }

    /// A post to publish: who, when, what kind, and which media template (by index within its kind).
    public struct PlannedPost: Sendable, Equatable {
        public var author: UserID
        public var kind: MediaKind
        public var template: Int
        public var createdAt: Timestamp
    }

    public var parameters: Parameters
    public var users: [UserUpdate]
    public var posts: [PlannedPost]
    /// (index into `posts`, viewer, when).
    public var views: [(post: Int, viewer: UserID, at: Timestamp)]
    public var mutes: [(viewer: UserID, author: UserID)]

    /// The user id of member `n` (0-based): `u1`, `u2`, …
    public static func userID(_ n: Int) -> UserID { UserID("u\(n + 1)") }

    static let countries: [(String, String)] = [
        ("EG", "ar"), ("SA", "ar"), ("AE", "ar"), ("MA", "fr"), ("BR", "pt-BR"), ("IN", "hi"), ("ID", "id"),
        ("NG", "en"), ("DE", "de"), ("GB", "en"), ("MX", "es"), ("TR", "tr"),
    ]

    /// Plans the population ending at `now`; posts fall in the 24 hours before it. `textTemplates`,
    /// `imageTemplates` and `videoTemplates` say how many distinct media of each kind there are.
    public init(_ parameters: Parameters, now: Timestamp, textTemplates: Int, imageTemplates: Int, videoTemplates: Int) {
        self.parameters = parameters
        var random = SplitMix64(seed: parameters.seed)
        let n = parameters.users
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

        // Degrees: log-normal around the mean (σ = 0.6). Each user chooses half of their number
        // of contacts and is chosen by others for the rest, so the mean is the one asked for.
        var adjacency = [Set<Int32>](repeating: [], count: n)
        let window = max(parameters.contacts * 3, 8)
        for member in 0..<n {
            let z = Self.standardNormal(&random)
            let degree = Double(parameters.contacts) * exp(0.6 * z - 0.18)
            let wanted = min(n - 1, max(1, Int((degree / 2).rounded())))
            var chosen = 0, tries = 0
            while chosen < wanted && tries < wanted * 4 {
                tries += 1
                // Mostly neighbours (families, workplaces, towns), some anyone.
                let other = chance(0.7)
                    ? (member + Int.random(in: 1...window, using: &random) * (chance(0.5) ? 1 : -1) + n * 4) % n
                    : Int.random(in: 0..<n, using: &random)
                if other == member || !adjacency[member].insert(Int32(other)).inserted { continue }
                adjacency[other].insert(Int32(member))
                chosen += 1
            }
        }
        var contacts = adjacency.map { $0.sorted() }
        // A few contacts are one-way (the other side does not have the number saved).
        for member in 0..<n where chance(0.1) && !contacts[member].isEmpty {
            contacts[member].remove(at: Int.random(in: 0..<contacts[member].count, using: &random))
        }
        var blocked = [[Int32]](repeating: [], count: n)
        for member in 0..<n where chance(0.01) && !contacts[member].isEmpty {
            blocked[member] = [contacts[member][Int.random(in: 0..<contacts[member].count, using: &random)]]
        }

        var privacy: [Audience] = []
        users = []
        users.reserveCapacity(n)
        for member in 0..<n {
            let list = contacts[member]
            let audience: Audience
            let roll = Double.random(in: 0..<1, using: &random)
            if roll < 0.8 || list.isEmpty {
                audience = .contacts
            } else if roll < 0.92 {
                audience = Audience(mode: .contactsExcept, list: (0..<Int.random(in: 1...5, using: &random)).map { _ in
                    Self.userID(Int(list[Int.random(in: 0..<list.count, using: &random)]))
                })
            } else {
                audience = Audience(mode: .onlyShareWith, list: list.filter { _ in chance(0.4) }.map { Self.userID(Int($0)) })
            }
            privacy.append(audience)
            let (country, language) = Self.countries[Int.random(in: 0..<Self.countries.count, using: &random)]
            users.append(UserUpdate(
                id: Self.userID(member), country: .some(country), language: .some(language),
                birthYear: .some(Int.random(in: 1950...2012, using: &random)), ads: chance(0.85), readReceipts: chance(0.9),
                contacts: list.map { Self.userID(Int($0)) }, blocked: blocked[member].map { Self.userID(Int($0)) },
                privacy: audience))
        }

        // Posts by a share of the users, spread over the last 24 hours.
        posts = []
        for member in 0..<n where chance(parameters.posters) {
            for _ in 0..<Int.random(in: parameters.postsPerPoster, using: &random) {
                let roll = Double.random(in: 0..<1, using: &random)
                let kind: MediaKind = roll < 0.3 ? .text : roll < 0.8 ? .image : .video
                let templates = kind == .text ? textTemplates : kind == .image ? imageTemplates : videoTemplates
                posts.append(PlannedPost(author: Self.userID(member), kind: kind,
                                         template: Int.random(in: 0..<max(1, templates), using: &random),
                                         createdAt: now + -Int64.random(in: 0..<(statusLifetimeSeconds - 60), using: &random)))
            }
        }
        posts.sort { $0.createdAt < $1.createdAt }

        // Views of visible posts, and mutes, as the rule allows.
        let contactSets = contacts.map(Set.init)
        let blockSets = blocked.map(Set.init)
        views = []
        for (index, post) in posts.enumerated() {
            let author = Int(post.author.rawValue.dropFirst())! - 1
            for viewer in contacts[author] where chance(parameters.viewed) {
                let v = Int(viewer)
                guard contactSets[v].contains(Int32(author)), !blockSets[v].contains(Int32(author)),
                      !blockSets[author].contains(viewer), privacy[author].admits(Self.userID(v)) else { continue }
                let seenAt = post.createdAt + Int64.random(in: 0...max(0, now.seconds - post.createdAt.seconds), using: &random)
                views.append((index, Self.userID(v), seenAt))
            }
        }
        mutes = []
        for member in 0..<n {
            for other in contacts[member] where chance(parameters.muted) {
                mutes.append((Self.userID(member), Self.userID(Int(other))))
            }
        }
    }

    /// A standard normal deviate (Box–Muller).
    static func standardNormal(_ random: inout SplitMix64) -> Double {
        let u = max(Double.random(in: 0..<1, using: &random), 1e-12)
        let v = Double.random(in: 0..<1, using: &random)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// What `demo seed` made.
public struct DemoSeedSummary: Sendable, Equatable {
    public var users: Int
    /// Contact rows (directed).
    public var contacts: Int
    public var posts: [MediaKind: Int]
    public var views: Int
    public var mutes: Int
    public var seconds: Double

    public var json: JSONValue {
        .object([
            ("users", .int(users)), ("contacts", .int(contacts)),
            ("posts", .object(MediaKind.allCases.map { ($0.rawValue, .int(posts[$0] ?? 0)) })),
            ("views", .int(views)), ("mutes", .int(mutes)), ("seconds", .double((seconds * 10).rounded() / 10)),
        ])
    }
}

extension Engine {
    /// Builds the demo population into the store: users, then posts (the media from `fixtures`,
    /// each template rendered once and its files shared by every post that uses it), views and
    /// mutes, in large transactions. Reports progress as (done, total) steps.
    public func seedDemo(_ parameters: DemoPopulation.Parameters, fixtures: String, at now: Timestamp,
                         progress: ProgressReport? = nil) async throws -> DemoSeedSummary {
        if let problem = parameters.problem { throw StoreError(.invalid, problem) }
        let started = Date()
        let texts = ["صباح الخير من القاهرة ☀️", "Good morning from Lagos!", "Bom dia! 🌴", "नमस्ते 🙏", "Weekend plans? 🎉",
                     (try? String(contentsOfFile: fixtures + "/text/article-ar.txt", encoding: .utf8)) ?? "مرحبا"]
        let imageFiles = ["images/jpeg-baseline.jpg", "images/jpeg-orientation-6.jpg", "images/png-rgba.png", "images/jpeg-display-p3.jpg"]
            .map { fixtures + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        let videoFiles = ["video/mp4-h264-aac.mp4", "video/webm-vp9-opus.webm"]
            .map { fixtures + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        guard !imageFiles.isEmpty, !videoFiles.isEmpty else {
            throw StoreError(.invalid, "no fixture media under \(fixtures): give the fixtures directory of the repository")
        }
        let plan = DemoPopulation(parameters, now: now, textTemplates: texts.count, imageTemplates: imageFiles.count,
                                  videoTemplates: videoFiles.count)
        let total = 4
        progress?(0, total)
        for chunk in stride(from: 0, to: plan.users.count, by: 5_000) {
            try await store.upsertUsers(Array(plan.users[chunk..<min(chunk + 5_000, plan.users.count)]))
        }
        progress?(1, total)

        // Each template rendered once; its first post writes the files, the others share them.
        var templates: [MediaKind: [Template]] = [:]
        for (index, text) in texts.enumerated() {
            let backgrounds = ["#075E54", "#128C7E", "#8E44AD", "#C0392B", "#2C3E50", "#D35400"]
            templates[.text, default: []].append(try await renderTextTemplate(text, background: backgrounds[index % backgrounds.count]))
        }
        for path in imageFiles { templates[.image, default: []].append(try await renderMediaTemplate(path)) }
        for path in videoFiles { templates[.video, default: []].append(try await renderMediaTemplate(path)) }
        // Posting order follows time. A template's first post writes its files and tells their
        // ids; later posts share them.
        var shared: [String: [BlobUpload]] = [:]
        var ids: [PostID] = []
        var batch: [NewPost] = []
        for planned in plan.posts {
            let template = templates[planned.kind]![planned.template]
            let key = "\(planned.kind.rawValue)/\(planned.template)"
            let id = newPostID()
            ids.append(id)
            var post = template.post(id: id, author: planned.author, at: planned.createdAt)
            if let files = shared[key] {
                post.files = files
                batch.append(post)
            } else {
                try await store.publish(batch: batch)
                batch = []
                let stored = try await store.publish(post)
                shared[key] = post.files.map { upload in
                    var reuse = upload
                    if let blob = stored.blob(upload.role) { reuse.content = .stored(blob.id) }
                    return reuse
                }
            }
            if batch.count == 2_000 {
                try await store.publish(batch: batch)
                batch = []
            }
        }
        try await store.publish(batch: batch)
        progress?(2, total)
        for chunk in stride(from: 0, to: plan.views.count, by: 20_000) {
            let part = plan.views[chunk..<min(chunk + 20_000, plan.views.count)].map { (post: ids[$0.post], viewer: $0.viewer, at: $0.at) }
            _ = try await store.recordViews(part)
        }
        progress?(3, total)
        try await store.setMuted(plan.mutes, muted: true)
        progress?(4, total)
        var kinds: [MediaKind: Int] = [:]
        for post in plan.posts { kinds[post.kind, default: 0] += 1 }
        return DemoSeedSummary(users: plan.users.count, contacts: plan.users.reduce(0) { $0 + ($1.contacts?.count ?? 0) },
                               posts: kinds, views: plan.views.count, mutes: plan.mutes.count,
                               seconds: Date().timeIntervalSince(started))
    }
}
