import Crypto
import Foundation
import StatusCore
#if canImport(Glibc)
import Glibc
#endif

/// A file written to the temporary area and synced, named by its SHA-256, not yet in place.
struct StagedBlob: Sendable {
    var id: BlobID
    var bytes: Int64
    var temporaryPath: String
}

/// The content-addressed files under `DATA/blobs`: `blobs/ab/<sha256>` for a blob whose id
/// starts with `ab`, and `blobs/tmp/` for files being written. Ids are hex only, so a path made
/// from one can never leave the directory.
///
/// Writing is: temporary file, fsync, rename into place, fsync the directory. A file in place is
/// therefore always complete; a crash leaves at worst a temporary file or a file with no row,
/// which `reconcile` removes.
struct BlobDirectory: Sendable {
    let root: String
    /// Whether files and directories are fsynced (always in production; a benchmark that seeds
    /// a hundred thousand files may turn it off).
    let durable: Bool

    init(root: String, durable: Bool = true) {
        self.root = root
        self.durable = durable
    }

    var temporaryDirectory: String { root + "/tmp" }

    /// Files whose deletion is committed, moved out of the content-addressed tree (a quick
    /// rename, under the database's write lock) to be unlinked at leisure, outside it.
    var trashDirectory: String { root + "/trash" }

    /// Where blocking file work (writing, syncing, listing) runs: never on Swift's cooperative
    /// thread pool, whose few threads must stay free for everything else.
    private static let queue = DispatchQueue(label: "status.blobs", qos: .userInitiated, attributes: .concurrent)

    /// Runs blocking file work on the blob queue and waits for it without blocking a thread.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    func path(for id: BlobID) -> String {
        let raw = id.rawValue
        return root + "/" + raw.prefix(2) + "/" + raw
    }

    /// Creates `blobs/` and `blobs/tmp/`.
    func prepare() throws {
        for directory in [root, temporaryDirectory, trashDirectory] {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw StoreError(.io, "cannot create \(directory): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes `content` to a temporary file while hashing it, and syncs it.
    func stage(_ content: BlobContent) throws -> StagedBlob {
        let temporary = temporaryDirectory + "/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).part"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.ioError("create", temporary) }
        var hasher = SHA256()
        var total: Int64 = 0
        do {
            defer { close(fd) }
            switch content {
            case .bytes(let bytes):
                hasher.update(data: bytes)
                try Self.writeAll(fd, bytes[...], path: temporary)
                total = Int64(bytes.count)
            case .stored:
                preconditionFailure("a stored file is never staged")
            case .file(let source):
                let input = open(source, O_RDONLY | O_CLOEXEC)
                guard input >= 0 else { throw Self.ioError("open", source) }
                defer { close(input) }
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw Self.ioError("read", source)
                    }
                    if count == 0 { break }
                    hasher.update(data: buffer[0..<count])
                    try Self.writeAll(fd, buffer[0..<count], path: temporary)
                    total += Int64(count)
                }
            }
            if durable && fsync(fd) != 0 { throw Self.ioError("fsync", temporary) }
        } catch {
            unlink(temporary)
            throw error
        }
        return StagedBlob(id: BlobID(digest: Array(hasher.finalize())), bytes: total, temporaryPath: temporary)
    }

    /// Moves a staged file into place, or drops it when the same bytes are already there.
    func commit(_ staged: StagedBlob) throws {
        let final = path(for: staged.id)
        if access(final, F_OK) == 0 {
            unlink(staged.temporaryPath)
            return
        }
        let shard = (final as NSString).deletingLastPathComponent
        if mkdir(shard, 0o755) != 0 && errno != EEXIST {
            unlink(staged.temporaryPath)
            throw Self.ioError("create", shard)
        }
        guard rename(staged.temporaryPath, final) == 0 else {
            let error = Self.ioError("rename into", final)
            unlink(staged.temporaryPath)
            throw error
        }
        if durable { try syncDirectory(shard) }
    }

    /// Stages and commits in one step; returns the blob's id and size.
    @discardableResult
    func store(_ content: BlobContent) throws -> StagedBlob {
        if case .stored(let id) = content {
            var info = stat()
            guard stat(path(for: id), &info) == 0 else {
                throw StoreError(.invalid, "no stored file \(id) to share: publish its bytes instead")
            }
            return StagedBlob(id: id, bytes: Int64(info.st_size), temporaryPath: "")
        }
        let staged = try stage(content)
        try commit(staged)
        return staged
    }

    func exists(_ id: BlobID) -> Bool { access(path(for: id), F_OK) == 0 }

    /// Moves the file to the trash; false when it was already gone (moved or unlinked before).
    @discardableResult
    func moveToTrash(_ id: BlobID) throws -> Bool {
        if rename(path(for: id), trashDirectory + "/" + id.rawValue) == 0 { return true }
        if errno == ENOENT { return false }
        throw Self.ioError("move to the trash", path(for: id))
    }

    /// Unlinks every file in the trash, on several threads at once: unlinking a file whose
    /// blocks must be freed is slow on some file systems, and latency-bound rather than CPU-bound.
    /// Returns how many files it unlinked.
    @discardableResult
    func emptyTrash(names: [String]? = nil) throws -> Int {
        let victims = try names ?? contents(of: trashDirectory)
        let directory = trashDirectory
        let lanes = min(8, max(1, victims.count / 64))
        let failures = ManagedFailures()
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            var index = lane
            while index < victims.count {
                if unlink(directory + "/" + victims[index]) != 0 && errno != ENOENT {
                    failures.record(Self.ioError("unlink", directory + "/" + victims[index]))
                }
                index += lanes
            }
        }
        if let first = failures.first { throw first }
        return victims.count
    }

    /// Unlinks the file; false when it was already gone.
    @discardableResult
    func remove(_ id: BlobID) throws -> Bool {
        if unlink(path(for: id)) == 0 { return true }
        if errno == ENOENT { return false }
        throw Self.ioError("unlink", path(for: id))
    }

    /// Every blob file in place, with its size.
    func enumerate() throws -> [(id: BlobID, bytes: Int64)] {
        var found: [(BlobID, Int64)] = []
        for shard in try contents(of: root) where shard.utf8.count == 2 {
            for name in try contents(of: root + "/" + shard) {
                guard let id = BlobID(rawValue: name), name.hasPrefix(shard) else { continue }
                var info = stat()
                if stat(root + "/" + shard + "/" + name, &info) == 0 { found.append((id, Int64(info.st_size))) }
            }
        }
        return found
    }

    /// Temporary files last modified before `cutoff` (seconds since the epoch), and every file
    /// left in the trash (their deletion is already committed).
    func temporaryFiles(olderThan cutoff: Int64) throws -> [String] {
        let temporary = try contents(of: temporaryDirectory).compactMap { name -> String? in
            let full = temporaryDirectory + "/" + name
            var info = stat()
            guard stat(full, &info) == 0, Int64(info.st_mtim.tv_sec) < cutoff else { return nil }
            return full
        }
        return temporary + (try contents(of: trashDirectory).map { trashDirectory + "/" + $0 })
    }

    private func contents(of directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw Self.ioError("list", directory)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError("open", directory) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw Self.ioError("fsync", directory) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ioError("write", path)
                }
                offset += written
            }
        }
    }

    /// The first error seen by any of several threads.
    final class ManagedFailures: @unchecked Sendable {
        // @unchecked: `stored` is only touched under `lock`.
        private let lock = NSLock()
        private var stored: StoreError?
        func record(_ error: StoreError) { lock.lock(); if stored == nil { stored = error }; lock.unlock() }
        var first: StoreError? { lock.lock(); defer { lock.unlock() }; return stored }
    }

    static func ioError(_ operation: String, _ path: String) -> StoreError {
        let code = errno
        let reason = String(cString: strerror(code))
        let hint = code == ENOSPC ? " (the disk is full)" : code == EROFS || code == EACCES ? " (the data directory is not writable)" : ""
        return StoreError(.io, "cannot \(operation) \(path): \(reason)\(hint)")
    }
}
