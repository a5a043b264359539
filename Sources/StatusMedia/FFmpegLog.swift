import CFFmpeg
import Foundation
import Synchronization

/// FFmpeg's log: silent by default, its warnings and errors captured per thread and folded into
/// the `MediaError` of the operation that caused them. All of FFmpeg's log state is touched from
/// this file only (see the shim's note).
public enum FFmpegLog {
    private static let installed = Mutex(false)

    /// Captures FFmpeg's messages; with `verbose` they are also printed to standard error.
    /// Called once by the first video operation; call it earlier to choose verbosity.
    public static func install(verbose: Bool = false) {
        installed.withLock { done in
            status_av_log_install(verbose ? 1 : 0)
            done = true
        }
    }

    static func installIfNeeded() {
        if !installed.withLock({ $0 }) { install() }
    }

    /// Forgets the messages captured so far on this thread.
    static func clear() { status_av_log_clear() }

    /// The messages captured on this thread since the last `clear()`, joined by "; ".
    static var captured: String {
        var seen = Set<String>()
        return String(cString: status_av_log_text())
            .components(separatedBy: "; ")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "."))) }
            .filter { $0.contains(where: \.isLetter) && seen.insert($0).inserted }
            .joined(separator: "; ")
    }

    /// FFmpeg's text for an error code.
    static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        status_av_strerror(code, &buffer, buffer.count)
        return String(cString: buffer)
    }

    /// `message`, with what FFmpeg said (if anything) appended.
    static func error(_ code: MediaError.Code, _ message: String, status: Int32? = nil) -> MediaError {
        var text = message
        if let status { text += ": \(describe(status))" }
        let log = captured
        if !log.isEmpty { text += " (FFmpeg: \(log))" }
        return MediaError(code, text)
    }
}
