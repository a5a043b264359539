import Foundation
import GRDB
import StatusCore

/// The embedded default store: SQLite in WAL mode (through GRDB) at `DATA/status.sqlite`, blob
/// files under `DATA/blobs`. Several processes may open the same data directory; writers take
/// turns through SQLite's lock (waiting up to the configured busy timeout) and readers never wait
/// for writers.
///
/// ```swift
/// let store = try SQLiteStatusStore(directory: "var")
/// try await store.upsertUsers([UserUpdate(id: UserID("u1"))])
/// ```
public final class SQLiteStatusStore: StatusStorage {
    /// The data directory.
    public let directory: String
    let pool: DatabasePool
    /// A read-only connection of its own for what every feed asks first (anything new? the
    /// viewer's ad state): answered in place, without a trip through the pool's reader queue.
    let servingReader: DatabaseQueue
    /// A connection of its own for charging a feed's ads, written in place: `synchronous =
    /// NORMAL` (a charge survives a crash of the process at once, a power cut from the next
    /// durable commit), a short busy timeout (``StoreConfiguration/servingBusyTimeoutMilliseconds``:
    /// the feed is served without ads rather than kept waiting), and no checkpoint on commit
    /// (``ServingCheckpoints`` runs them in the background).
    let servingWriter: DatabaseQueue
    let servingCheckpoints: ServingCheckpoints
    let blobs: BlobDirectory
    let configuration: StoreConfiguration

    /// Opens (creating if needed) the data directory and migrates the database to the current
    /// schema. Fails with `corrupt_database` for a file that is not a database or was written by
    /// a newer engine, and with `io_error` when the directory cannot be created or opened.
    public init(directory: String, configuration: StoreConfiguration = .default, durableFiles: Bool = true) throws {
        self.directory = directory
        self.configuration = configuration
        self.blobs = BlobDirectory(root: directory + "/blobs", durable: durableFiles)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.io, "cannot create the data directory \(directory): \(error.localizedDescription)")
        }
        try blobs.prepare()

        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(TimeInterval(configuration.busyTimeoutMilliseconds) / 1000)
        config.label = "status"
        let synchronous = configuration.synchronous.rawValue.uppercased()
        config.prepareDatabase { db in
            // A 32 MiB page cache per connection: a purge batch touches blob rows keyed by
            // random hashes all over their table. Temporary tables stay in memory.
            try db.execute(sql: "PRAGMA synchronous = \(synchronous); PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY")
        }
        do {
            pool = try DatabasePool(path: directory + "/status.sqlite", configuration: config)
            let migrator = Schema.migrator
            let known = Set(migrator.migrations)
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            if let unknown = applied.subtracting(known).first {
                throw StoreError(.corrupt, "the database in \(directory) was written by a newer version of the engine (migration \"\(unknown)\"); refusing to open it")
            }
            try migrator.migrate(pool)
            var reader = Configuration()
            reader.readonly = true
            reader.busyMode = config.busyMode
            reader.label = "status.serving-reader"
            servingReader = try DatabaseQueue(path: directory + "/status.sqlite", configuration: reader)
            var writer = Configuration()
            writer.foreignKeysEnabled = true
            writer.busyMode = .timeout(TimeInterval(configuration.servingBusyTimeoutMilliseconds) / 1000)
            writer.label = "status.serving-writer"
            writer.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -8192")
            }
            servingWriter = try DatabaseQueue(path: directory + "/status.sqlite", configuration: writer)
            servingCheckpoints = ServingCheckpoints(pool: pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, doing: "open the database in \(directory)")
        }
    }

    /// The schema migrations applied to this database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await read("read the schema version") { db in try Schema.migrator.appliedIdentifiers(db).sorted() }
    }

    public func integrityCheck() async throws -> [String] {
        try await read("check the database") { db in
            var findings = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                findings.append("foreign key: \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? -1) points at a missing \(row[2] as String? ?? "?")")
            }
            return findings
        }
    }

    // MARK: Access with typed errors

    func read<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.storeError(error, doing: doing)
        }
    }

    func write<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.storeError(error, doing: doing)
        }
    }

    /// A write transaction whose commit need not survive a power cut, only a crash of the
    /// process (`synchronous = NORMAL` for this one transaction): for bookkeeping that is redone
    /// when lost, such as deleting the rows of files already moved to the trash.
    func write<T: Sendable>(_ doing: String, durable: Bool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if durable { return try await write(doing, body) }
        let restore = configuration.synchronous.rawValue.uppercased()
        do {
            return try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = \(restore)") }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.storeError(error, doing: doing)
        }
    }

    /// Maps SQLite's result codes onto the store's error codes.
    static func storeError(_ error: any Error, doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(.io, "cannot \(doing): \(error)")
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.busy, "cannot \(doing): the database is locked by another process (\(detail))")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(.corrupt, "cannot \(doing): the database file is damaged or not a database (\(detail))")
        case .SQLITE_FULL:
            return StoreError(.io, "cannot \(doing): the disk is full (\(detail))")
        case .SQLITE_READONLY:
            return StoreError(.io, "cannot \(doing): the data directory is read-only (\(detail))")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_IOERR, .SQLITE_AUTH:
            return StoreError(.io, "cannot \(doing): \(detail)")
        case .SQLITE_CONSTRAINT:
            return StoreError(.invalid, "cannot \(doing): \(detail)")
        default:
            return StoreError(.io, "cannot \(doing): \(detail)")
        }
    }
}

/// Checkpoints for the serving writer, which never checkpoints on commit (a checkpoint syncs the
/// database file: milliseconds on a feed's critical path). After every 256 of its commits, in the
/// background on the pool's writer: a passive checkpoint copies the log into the database without
/// blocking anyone, then a restarting one copies the little written meanwhile and has the next
/// commit start the log again from its beginning. Passive checkpoints alone would never let a
/// busy log restart: writes keep landing after the part they copied, and the file grows without
/// bound. Feeds charged while the second one runs wait for it (a few milliseconds at most).
final class ServingCheckpoints: @unchecked Sendable {
    // @unchecked: `commits` and `running` are only touched under `lock`.
    static let interval = 256
    private let pool: DatabasePool
    private let lock = NSLock()
    private var commits = 0
    private var running = false

    init(pool: DatabasePool) { self.pool = pool }

    func committed() {
        let start: Bool = lock.withLock {
            commits += 1
            guard commits >= Self.interval, !running else { return false }
            commits = 0
            running = true
            return true
        }
        guard start else { return }
        pool.asyncWriteWithoutTransaction { [self] db in
            _ = try? db.checkpoint(.passive)
            _ = try? db.checkpoint(.restart)
            lock.withLock { running = false }
        }
    }
}
