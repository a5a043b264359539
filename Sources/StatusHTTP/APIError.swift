import Foundation
import Hummingbird
import StatusEngine

/// Every error the API answers with: a status and `{"error": {"code", "message"}}`, never a
/// stack trace.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra headers of the answer (`WWW-Authenticate` on a 401, `Content-Range` on a 416).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The API's answer for anything thrown by the engine or the store.
    public init(_ error: any Error) {
        if let error = error as? APIError {
            self = error
            return
        }
        if let error = error as? any HTTPResponseError {
            // The framework's own refusals: no such route, a body over its limit, and the like.
            switch error.status {
            case .notFound: self.init(.notFound, "not_found", "no such route")
            case .methodNotAllowed: self.init(.methodNotAllowed, "method_not_allowed", "this route does not take that method")
            case .contentTooLarge: self.init(.contentTooLarge, "too_large", "the body is over this route's limit")
            default: self.init(error.status, "bad_request", "the request was refused (\(error.status.code))")
            }
            return
        }
        let failure = EngineFailure(error)
        switch failure.kind {
        case .busy: self.init(.serviceUnavailable, failure.code, failure.message)
        case .io, .corrupt: self.init(.internalServerError, failure.code, failure.message)
        case .internal: self.init(.internalServerError, "internal", "the request failed inside the engine")
        case .refused:
            switch failure.code {
            case "unknown_user", "unknown_post", "unknown_campaign", "unknown_token", "unknown_blob": self.init(.notFound, failure.code, failure.message)
            case "too_large": self.init(.contentTooLarge, failure.code, failure.message)
            case "unsupported_format": self.init(.unsupportedMediaType, failure.code, failure.message)
            case "conflict": self.init(.conflict, failure.code, failure.message)
            case "not_visible", "not_author": self.init(.forbidden, failure.code, failure.message)
            default: self.init(.unprocessableContent, failure.code, failure.message)
            }
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONValue.object([("error", .object([("code", .string(code)), ("message", .string(message))]))]).serialized
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Turns anything a handler throws into an ``APIError`` answer. A path the API has, asked with a
/// method it does not take, is 405 with `Allow` (the router alone would say 404).
struct ErrorAnswers<Context: RequestContext>: RouterMiddleware {
    let methods: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as any HTTPResponseError where error.status == .notFound {
            let allowed = methods.allowed(for: request.uri.path)
            // A 404 from inside a route that takes this method is that route's own answer.
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw APIError(error) }
            throw APIError(.methodNotAllowed, "method_not_allowed",
                           "\(request.uri.path) takes \(allowed.joined(separator: ", ")), not \(request.method.rawValue)",
                           headers: [.allow: allowed.joined(separator: ", ")])
        } catch {
            throw APIError(error)
        }
    }
}

/// Which methods each route path takes, filled in as routes are added (before serving) and only
/// read afterwards.
final class RouteMethods: @unchecked Sendable {
    // @unchecked: written while the router is built, before any request; read-only after.
    private var templates: [(segments: [Substring], methods: [String])] = []

    func add(_ method: String, _ path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if let index = templates.firstIndex(where: { $0.segments == segments }) {
            templates[index].methods.append(method)
        } else {
            templates.append((segments, [method]))
        }
    }

    /// The methods of the route templates `path` matches (`{name}` matches any one segment).
    func allowed(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var methods: [String] = []
        for template in templates where template.segments.count == segments.count
            && zip(template.segments, segments).allSatisfy({ $0.hasPrefix("{") ? !$1.isEmpty : $0 == $1 }) {
            methods += template.methods
        }
        return Array(Set(methods)).sorted()
    }
}
