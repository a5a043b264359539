import Foundation

/// Reads an input file whole, refusing before reading when it is over the byte limit.
public enum MediaFileReader {
    /// The file's bytes; `too_large` (from its size on disk) or `unreadable` otherwise.
    public static func read(path: String, limit: Int) throws -> [UInt8] {
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
        let size = Int(st.st_size)
        guard size <= limit else {
            throw MediaError(.tooLarge, "file is \(size) bytes; the limit is \(limit)")
        }
        // Read straight into uninitialised storage: no zero-fill pass over a 64 MiB video.
        var failure: MediaError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialised in
            var filled = 0
            while filled < size {
                let n = Foundation.read(fd, buffer.baseAddress! + filled, size - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = MediaError(.unreadable, "cannot read \(path): \(String(cString: strerror(errno)))")
                    break
                }
                if n == 0 { break }
                filled += n
            }
            initialised = filled
        }
        if let failure { throw failure }
        return bytes
    }

    /// The first `count` bytes of a regular file (fewer when it is shorter).
    public static func head(path: String, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw MediaError(.unreadable, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw MediaError(.unreadable, "\(path) is not a regular file")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, count) }
        guard n >= 0 else { throw MediaError(.unreadable, "cannot read \(path): \(String(cString: strerror(errno)))") }
        bytes.removeLast(count - n)
        return bytes
    }
}
