import Foundation
import Hummingbird
import StatusEngine

/// How large each kind of request body may be. Bodies are refused with 413 as soon as they pass
/// their limit; uploads are streamed to files, never held whole in memory.
public struct BodyLimits: Sendable, Equatable {
    /// A small JSON body (a view, an ad event, a moderation action).
    public var json = 64 << 10
    /// `PUT /v1/users/{user}`: as long as a users-import line (a user with tens of thousands of contacts).
    public var user = UserImport.maxLineBytes
    /// `POST /v1/ads/events`.
    public var event = 4 << 10
    /// A photo or video post: the larger of the media module's image and video limits.
    public var media: Int
    /// A manifest alone (JSON or CSV), as the command line reads it.
    public var manifest = 16 << 20
    /// A multipart manifest upload with its media files, in all.
    public var manifestUpload = 512 << 20

    public init(media: Int) { self.media = media }

    /// The limits for an engine's configuration.
    public init(configuration: EngineConfiguration) {
        self.init(media: max(configuration.media.image.maxBytes, configuration.media.video.maxBytes))
    }
}

/// A JSON object body read into scalar fields, refusing fields the route does not take and
/// `null` for a field (leave an optional field out instead): what went wrong is named
/// (`400 bad_json`), never guessed around.
struct JSONFields {
    enum Scalar: Decodable {
        case null, bool(Bool), int(Int), double(Double), string(String), other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let value = try? c.decode(Bool.self) { self = .bool(value) }
            else if let value = try? c.decode(Int.self) { self = .int(value) }
            else if let value = try? c.decode(Double.self) { self = .double(value) }
            else if let value = try? c.decode(String.self) { self = .string(value) }
            else { self = .other }
        }
    }

    let values: [String: Scalar]

    init(_ body: ByteBuffer, allowed: [String]) throws {
        guard let values = try? JSONDecoder().decode([String: Scalar].self, from: Data(buffer: body)) else {
            throw APIError(.badRequest, "bad_json", "the body is not a JSON object")
        }
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(.badRequest, "bad_json", "unknown field \(unknown.debugDescription); this route takes \(allowed.joined(separator: ", "))")
        }
        self.values = values
    }

    /// An empty object, for a route whose body may be left out.
    init() { values = [:] }

    func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil: return nil
        case .string(let value)?: return value
        default: throw APIError(.badRequest, "bad_json", "\(key): expected a string (or leave the field out)")
        }
    }

    func required(_ key: String) throws -> String {
        guard let value = try string(key) else { throw APIError(.badRequest, "bad_json", "\(key): missing") }
        return value
    }

    func int(_ key: String) throws -> Int? {
        switch values[key] {
        case nil: return nil
        case .int(let value)?: return value
        default: throw APIError(.badRequest, "bad_json", "\(key): expected an integer (or leave the field out)")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil: return nil
        case .bool(let value)?: return value
        default: throw APIError(.badRequest, "bad_json", "\(key): expected true or false (or leave the field out)")
        }
    }
}

extension Request {
    /// The media type of the body, lowercased, without parameters.
    var mediaType: String? { headers[.contentType].flatMap(MediaType.init)?.essence }

    /// Throws 415 unless the body is declared as one of `types`.
    func requireMediaType(_ types: String...) throws {
        guard let type = mediaType, types.contains(type) else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           "this route takes \(types.joined(separator: " or ")), not \(headers[.contentType] ?? "a body without a Content-Type")")
        }
    }

    /// The JSON object body, up to `limit` bytes (415 for another media type, 413 past the limit).
    func jsonFields(limit: Int, allowed: [String]) async throws -> JSONFields {
        try requireMediaType("application/json")
        return try await JSONFields(collect(limit: limit), allowed: allowed)
    }

    /// A JSON object body that may be left out (no body, or an empty one).
    func optionalJSONFields(limit: Int, allowed: [String]) async throws -> JSONFields {
        let body = try await collect(limit: limit)
        guard body.readableBytes > 0 else { return JSONFields() }
        try requireMediaType("application/json")
        return try JSONFields(body, allowed: allowed)
    }

    func collect(limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit { throw UploadFolder.tooLarge(limit) }
        // The first chunk is kept as it came (most bodies arrive in one); later ones are appended.
        var collected: ByteBuffer?
        try await BodyReading.forEach(body) { chunk in
            guard (collected?.readableBytes ?? 0) + chunk.readableBytes <= limit else { throw UploadFolder.tooLarge(limit) }
            if collected == nil {
                collected = chunk
            } else {
                var chunk = chunk
                collected!.writeBuffer(&chunk)
            }
        }
        return collected ?? ByteBuffer()
    }
}
