// The feed's value types are part of the engine's API.
@_exported import StatusFeed
import Foundation

extension Engine {
    /// `viewer`'s feed at `now`: the contacts' visible posts grouped by author, recent groups
    /// (something unseen) before viewed ones, newest first; muted authors apart. Throws
    /// `unknown_user` for a viewer the store does not have.
    ///
    /// With the in-memory index (``FeedMode/index``, the default) the index first catches up with
    /// every change committed to the store by any process (one indexed read of the change log),
    /// then answers from memory; with ``FeedMode/perRequest`` the store reads just this viewer's
    /// neighbourhood. Both give the same feed.
    public func feed(for viewer: UserID, at now: Timestamp) async throws -> Feed {
        let started = ContinuousClock.now
        defer { metrics.feed.recordNanoseconds(EngineMetrics.nanoseconds(since: started)) }
        if let index = feedIndex {
            return try await index.feed(for: viewer, at: now, store: store)
        }
        let world = try await store.feedWorld(around: viewer, at: now)
        guard let feed = FeedIndex(world).feed(for: viewer, at: now) else {
            throw StoreError(.unknownUser, "no user \(viewer)")
        }
        return feed
    }

    /// Loads the in-memory feed index now rather than on the first feed (a server warming up).
    public func warmFeedIndex() async throws {
        try await feedIndex?.catchUp(store: store)
    }

    /// The author's own live posts at `now` (which are never in their own feed), in posting
    /// order, with how many have seen each (nil when the author's read receipts are off).
    public func myStatus(author: UserID, at now: Timestamp) async throws -> [OwnStatus] {
        try await store.ownStatus(author: author, at: now)
    }
}

/// How the engine answers feeds.
public enum FeedMode: Sendable {
    /// An in-memory index of the whole feed state, caught up with the store's change log before
    /// every answer: for a process that answers many feeds (the server).
    case index
    /// A read of the viewer's neighbourhood per feed: for one-off answers (the command line).
    case perRequest
}

/// The engine's shared ``FeedIndex``: many feeds read it at once; catching up writes it.
final class SharedFeedIndex: @unchecked Sendable {
    // @unchecked: `index` is only read under the read lock and written under the write lock.
    private var index = FeedIndex()
    private let lock = ReadWriteLock()

    /// The index's version.
    var version: Int64 { lock.reading { index.version } }

    /// Applies what the store committed since the index's version.
    func catchUp(store: any StatusStorage) async throws {
        let changes = try await store.feedChanges(after: version)
        switch changes {
        case .changes(_, let list) where list.isEmpty:
            return
        case .reload(let world):
            // Built outside the lock (seconds for a large population); feeds go on meanwhile.
            let fresh = FeedIndex(world)
            lock.writing { if fresh.version >= index.version { index = fresh } }
        case .changes:
            lock.writing { index.apply(changes) }
        }
    }

    func feed(for viewer: UserID, at now: Timestamp, store: any StatusStorage) async throws -> Feed {
        try await catchUp(store: store)
        guard let feed = lock.reading({ index.feed(for: viewer, at: now) }) else {
            throw StoreError(.unknownUser, "no user \(viewer)")
        }
        return feed
    }
}

/// A pthread read-write lock: readers share, a writer is alone.
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func reading<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func writing<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
