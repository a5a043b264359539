import ArgumentParser
import Foundation
import StatusEngine

/// Options every command on the data directory shares: where the data is, what time it is, and
/// which configuration applies.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp(
        "Data directory (SQLite database and blob files; created if missing).",
        discussion: "Default: $STATUS_DATA, else var/ under the current directory.", valueName: "DIR"))
    var directory: String?

    @Option(name: .customLong("at"), help: ArgumentHelp(
        "The moment to act at, ISO 8601 (2026-11-25T10:00:00Z) or Unix seconds.",
        discussion: "Default: now. Lets expiry be tested and previewed without waiting.", valueName: "TIME"))
    var at: String?

    @OptionGroup var config: ConfigOptions

    func validate() throws {
        if let at, Timestamp(parsing: at) == nil {
            throw ValidationError("--at: \(at.debugDescription) is neither ISO 8601 (2026-11-25T10:00:00Z) nor Unix seconds")
        }
    }

    /// The moment given by `--at`, or now.
    var now: Timestamp { at.flatMap(Timestamp.init(parsing:)) ?? .now() }

    /// The data directory: `--data`, else `$STATUS_DATA`, else `var`.
    var resolvedDirectory: String {
        directory ?? ProcessInfo.processInfo.environment["STATUS_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "var"
    }

    /// Opens the engine on the data directory; failures print their error and exit. A command
    /// answers at most one feed, so by default feeds are read per request rather than indexed.
    func openEngine(feedMode: FeedMode = .perRequest) throws -> Engine {
        let configuration = try config.load()
        do {
            return try Engine.open(dataDirectory: resolvedDirectory, configuration: configuration, feedMode: feedMode)
        } catch {
            throw CommandFailure.report(error)
        }
    }
}

/// Turns engine errors into the command line contract: `{"error": {"code", "message"}}` on
/// standard output, the message on standard error, and the exit status the help text gives.
enum CommandFailure {
    /// Exit statuses shared by every data command.
    static let help = """
        Exit status: 0 success; 1 refused (invalid input, unknown user or post, not visible, not \
        the author, conflicting state, refused media); 64 usage error; 65 the database is damaged \
        or from a newer engine; 74 the data directory cannot be read or written (permissions, disk \
        full); 75 the database is locked by another process (retry); 78 configuration error.
        """

    /// Prints the error and returns the exit code to throw.
    static func report(_ error: any Error) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        let failure = EngineFailure(error)
        let (code, message) = (failure.code, failure.message)
        let status: Int32
        switch failure.kind {
        case .refused: status = 1
        case .corrupt: status = 65
        case .internal: status = 70
        case .io: status = 74
        case .busy: status = 75
        }
        let json = JSONValue.object([("error", .object([("code", .string(code)), ("message", .string(message))]))])
        print(json.serialized)
        FileHandle.standardError.write(Data("statusctl: \(code): \(message)\n".utf8))
        return ExitCode(status)
    }

    /// Runs `body`, reporting any error as above.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            throw report(error)
        }
    }
}

/// Parses a user id argument.
func parseUser(_ raw: String, option: String) throws -> UserID {
    guard let id = UserID(rawValue: raw) else {
        throw ValidationError("\(option): \(raw.debugDescription) is not \(UserID.explanation)")
    }
    return id
}

/// Parses a post id argument.
func parsePost(_ raw: String, option: String = "--post") throws -> PostID {
    guard let id = PostID(rawValue: raw) else {
        throw ValidationError("\(option): \(raw.debugDescription) is not \(PostID.explanation)")
    }
    return id
}

/// A one-line progress bar on standard error, drawn only when standard error is a terminal and
/// at most ten times a second.
final class ProgressBar: @unchecked Sendable {
    // @unchecked: every mutable field is touched only under `lock`.
    private let lock = NSLock()
    private let label: String
    private let enabled: Bool
    private var lastDraw = 0.0

    init(label: String) {
        self.label = label
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date().timeIntervalSince1970
        guard now - lastDraw >= 0.1 || done >= total else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
