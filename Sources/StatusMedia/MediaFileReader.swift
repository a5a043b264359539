import Foundation

/// Reads input files: whole (images), or just their first bytes (to route them, and for videos,
/// which libavformat reads as needed). Only regular files; sizes are checked before reading.
public enum MediaFileReader {
    /// The file's bytes; `too_large` (from its size on disk) or `unreadable` otherwise.
    public static func read(path: String, limit: Int) throws -> [UInt8] {
        try withRegularFile(path) { fd, size in
            guard size <= limit else {
                throw MediaError(.tooLarge, "file is \(size) bytes; the limit is \(limit)")
            }
            // Read straight into uninitialised storage: no zero-fill pass.
            var failure: MediaError?
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialised in
                do { initialised = try readFully(fd, into: buffer.baseAddress, count: size, path: path) } catch {
                    failure = error as? MediaError
                    initialised = 0
                }
            }
            if let failure { throw failure }
            return bytes
        }
    }

    /// The first `count` bytes of a regular file (fewer when it is shorter) and its size.
    public static func head(path: String, count: Int) throws -> (bytes: [UInt8], fileSize: Int) {
        try withRegularFile(path) { fd, size in
            var bytes = [UInt8](repeating: 0, count: min(count, size))
            let n = try bytes.withUnsafeMutableBufferPointer { try readFully(fd, into: $0.baseAddress, count: $0.count, path: path) }
            bytes.removeLast(bytes.count - n)
            return (bytes, size)
        }
    }

    /// Opens `path` read-only, checks it is a regular file, and hands `body` the descriptor and
    /// the size; the descriptor is closed on every path.
    private static func withRegularFile<T>(_ path: String, _ body: (Int32, Int) throws -> T) throws -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw MediaError(.unreadable, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw MediaError(.unreadable, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw MediaError(.unreadable, "\(path) is not a regular file")
        }
        return try body(fd, Int(st.st_size))
    }

    /// Reads up to `count` bytes, retrying short reads and EINTR; returns how many arrived.
    private static func readFully(_ fd: Int32, into buffer: UnsafeMutablePointer<UInt8>?, count: Int, path: String) throws -> Int {
        guard let buffer, count > 0 else { return 0 }
        var filled = 0
        while filled < count {
            let n = Foundation.read(fd, buffer + filled, count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError(.unreadable, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
