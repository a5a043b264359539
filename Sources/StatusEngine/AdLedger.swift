import Foundation
import StatusCore

/// This process's side of ad budgets: the budget it leased from the store per campaign and day
/// (already charged there, so that no budget is ever passed however many processes serve), what
/// is left of each lease, and the ads it served that are not recorded yet. A feed takes its ads'
/// cost from the leases in memory; the store is written only to lease more (now and then) and
/// to record served ads in batches (``Engine/recordServedAds()``).
final class AdLedger: @unchecked Sendable {
    // @unchecked: every field after `lock` is only touched under it.
    struct Lease {
        var granted: Int64
        var remaining: Int64
        var lastUsed: ContinuousClock.Instant
    }

    /// Who this process is in the store's lease table.
    let holder: String
    /// Taken by every grant and release: the store's leases and this ledger change together,
    /// so that a grant never lands in a lease being given back.
    let leaseGate = AsyncGate()
    /// Taken by every recording: a release records what was taken from its leases before it
    /// refunds the rest, and no other recording may still be writing some of it.
    let recordGate = AsyncGate()
    private let lock = NSLock()
    private var leases: [BudgetKey: Lease] = [:]
    private var pending: [AdServe] = []
    /// The last batch recorded: a feed may have read the store just before it landed.
    private var recent: [AdServe] = []
    private var toppingUp: Set<BudgetKey> = []
    private var recorderRunning = false
    private var counts = AdServingCounts()
    /// The latest budget day served from: leases of earlier days are done with.
    private var latestDay = Int64.min
    /// Whether this process ever asked the store for budget: until it has, it holds no lease there.
    private var askedForBudget = false

    init() {
        var random = SystemRandomNumberGenerator()
        holder = "h" + (0..<2).map { _ in String(random.next() as UInt64, radix: 16) }.joined(separator: "-")
    }

    /// What the ledger has done so far.
    var served: AdServingCounts { lock.withLock { counts } }

    func count(_ change: (inout AdServingCounts) -> Void) { lock.withLock { change(&counts) } }

    /// What is left of this process's lease for `key`.
    func unused(_ key: BudgetKey) -> Int64 {
        lock.withLock { leases[key]?.remaining ?? 0 }
    }

    /// Takes the serve's cost from its lease; false (and nothing taken) when the lease is short
    /// or one of `caps` is reached for the viewer, counting `stored` (their recorded ads, as read
    /// for this feed) and every ad this process served them that may not be in it: checked and
    /// taken under one lock, so that two feeds for one viewer at once cannot both pass a cap.
    /// A taken serve waits to be recorded.
    func take(_ serve: AdServe, caps: [FrequencyCap], stored: [ServedImpression]) -> Bool {
        lock.withLock {
            let key = BudgetKey(campaign: serve.campaign, day: serve.day)
            guard var lease = leases[key], lease.remaining >= serve.costMicros else { return false }
            if !caps.isEmpty {
                let mine = unrecorded(for: serve.viewer, besides: stored)
                for cap in caps {
                    let since = serve.at.seconds - cap.windowSeconds
                    let count = (stored + mine).filter { impression in
                        impression.at.seconds > since
                            && (cap.scope == .campaign ? impression.campaign == serve.campaign : impression.advertiser == serve.advertiser)
                    }.count
                    if count >= cap.max { return false }
                }
            }
            lease.remaining -= serve.costMicros
            lease.lastUsed = .now
            leases[key] = lease
            latestDay = max(latestDay, key.day)
            pending.append(serve)
            counts.adsServed += 1
            return true
        }
    }

    /// Called before every grant is asked for, so that a grant committed but not yet noted is
    /// still given back.
    func askingForBudget() { lock.withLock { askedForBudget = true } }

    /// Nothing to record and no lease ever asked for: giving back would be a write for nothing
    /// (and would wait for a lock another process holds).
    var holdsNothing: Bool { lock.withLock { !askedForBudget && pending.isEmpty } }

    func granted(_ key: BudgetKey, _ micros: Int64) {
        lock.withLock {
            var lease = leases[key] ?? Lease(granted: 0, remaining: 0, lastUsed: .now)
            lease.granted += micros
            lease.remaining += micros
            leases[key] = lease
        }
    }

    /// Of `keys`, those whose lease is under a quarter left and not being topped up already;
    /// marks them as being topped up.
    func claimTopUps(_ keys: [BudgetKey]) -> [BudgetKey] {
        lock.withLock {
            var claimed: [BudgetKey] = []
            for key in Set(keys) where !toppingUp.contains(key) {
                guard let lease = leases[key], lease.remaining * 4 < lease.granted else { continue }
                toppingUp.insert(key)
                claimed.append(key)
            }
            return claimed
        }
    }

    func toppedUp(_ keys: [BudgetKey]) {
        lock.withLock { toppingUp.subtract(keys) }
    }

    /// `stored` (a viewer's recorded ads as read for a feed) with the ads this process served
    /// them that may not be in it (not recorded yet, or recorded since), each once.
    func served(to viewer: UserID, stored: [ServedImpression]) -> [ServedImpression] {
        lock.withLock { stored + unrecorded(for: viewer, besides: stored) }
    }

    /// The ads this process served `viewer` (pending or just recorded) that `stored` lacks; the
    /// caller holds the lock. Walks both lists in place: this runs on every feed.
    private func unrecorded(for viewer: UserID, besides stored: [ServedImpression]) -> [ServedImpression] {
        var mine: [ServedImpression] = []
        for list in [recent, pending] {
            for serve in list where serve.viewer == viewer && !stored.contains(where: { $0.token == serve.token }) {
                mine.append(ServedImpression(campaign: serve.campaign, advertiser: serve.advertiser, at: serve.at, token: serve.token))
            }
        }
        return mine
    }

    /// The served ads to record now; they stay known as recent until the next batch.
    func drain() -> [AdServe] {
        lock.withLock {
            defer { recent = pending; pending = [] }
            return pending
        }
    }

    /// Serves whose recording failed, to be tried again first.
    func requeue(_ serves: [AdServe]) {
        lock.withLock { pending.insert(contentsOf: serves, at: 0) }
    }

    /// Leases to give back: for days before the latest one served from (the request's day, not
    /// the wall clock's), or unused for longer than `idle`.
    func stale(idle: Duration) -> [BudgetKey] {
        lock.withLock {
            let now = ContinuousClock.now
            return leases.filter { $0.key.day < latestDay || now - $0.value.lastUsed > idle }.map(\.key)
        }
    }

    /// Forgets the leases for `keys` (nil: all), once the store has them back.
    func forget(_ keys: [BudgetKey]?) {
        lock.withLock {
            guard let keys else { return leases = [:] }
            for key in keys { leases[key] = nil }
        }
    }

    /// True when the caller is to start the recorder (it was not running).
    func claimRecorder() -> Bool {
        lock.withLock {
            defer { recorderRunning = true }
            return !recorderRunning
        }
    }

    /// Stops the recorder when there is nothing left for it to do; false (keep going) otherwise.
    func stopRecorderIfIdle() -> Bool {
        lock.withLock {
            guard pending.isEmpty, leases.isEmpty else { return false }
            recent = []
            recorderRunning = false
            return true
        }
    }
}

/// Counts of a serving process's ad budget work since it started (for metrics and benchmarks).
public struct AdServingCounts: Sendable, Equatable {
    /// Ads taken from leases (served).
    public var adsServed = 0
    /// Lease transactions a feed waited for (it lacked budget for an ad it placed).
    public var leasesOnFeedPath = 0
    /// Lease top-ups run in the background.
    public var leasesInBackground = 0
    /// Batches and ads recorded.
    public var recordBatches = 0
    public var adsRecorded = 0

    public init() {}
}

/// An async mutual exclusion: one body at a time, the others waiting their turn in order,
/// across suspension points (an actor would let a second caller in at every `await`).
final class AsyncGate: @unchecked Sendable {
    // @unchecked: `busy` and `waiters` are only touched under `lock`.
    private let lock = NSLock()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let enter: Bool = lock.withLock {
                if busy { waiters.append(waiter); return false }
                busy = true
                return true
            }
            if enter { waiter.resume() }
        }
        defer {
            let next: CheckedContinuation<Void, Never>? = lock.withLock {
                if waiters.isEmpty { busy = false; return nil }
                return waiters.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
