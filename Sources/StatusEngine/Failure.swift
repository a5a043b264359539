// The engine's API speaks in StatusCore's value types (ids, posts, timestamps, errors), so the
// engine hands them on: callers import StatusEngine alone.
@_exported import StatusCore
import StatusMedia

/// Any error the engine's use cases throw, as a caller reports it: a stable code, a message for
/// people, and what kind of failure it is (which the command line maps to an exit status and the
/// HTTP layer to a status).
public struct EngineFailure: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The input was refused: invalid, unknown, not permitted, conflicting, refused media.
        case refused
        /// The database is locked by another process; retrying may succeed.
        case busy
        /// The data directory cannot be read or written.
        case io
        /// The database is damaged or from a newer engine.
        case corrupt
        /// Anything else: a bug.
        case `internal`
    }

    public var code: String
    public var message: String
    public var kind: Kind

    /// Classifies `error` (a ``StoreError``, a media refusal, or anything else).
    public init(_ error: any Error) {
        if let error = error as? StoreError {
            code = error.code.rawValue
            message = error.message
            switch error.code {
            case .busy: kind = .busy
            case .io: kind = .io
            case .corrupt: kind = .corrupt
            default: kind = .refused
            }
        } else if let error = error as? MediaError {
            (code, message, kind) = (error.code.rawValue, error.message, .refused)
        } else {
            (code, message, kind) = ("internal", "\(error)", .internal)
        }
    }
}
