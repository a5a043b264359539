import Foundation
import Hummingbird
import StatusEngine

extension StatusAPI {
    /// `GET /v1/media/{blob}`: a stored file by its content address. Files never change, so the
    /// id is the `ETag` and answers may be cached for a year (`immutable`); `If-None-Match`
    /// gives 304 and a single `Range` 206 (or 416). A file nobody may be sent any more (its post
    /// expired, removed or purged) is 404.
    func media(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let raw = try Self.parameter(context, "blob")
        guard let id = BlobID(rawValue: raw) else { throw APIError(.badRequest, "invalid", "not \(BlobID.explanation): \(raw.debugDescription)") }
        guard let blob = try await engine.store.servableBlob(id, at: Timestamp.now()) else {
            throw APIError(.notFound, "unknown_blob", "no file \(id) may be served: unknown, removed, expired or purged")
        }
        let etag = "\"\(blob.id.rawValue)\""
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "private, max-age=31536000, immutable", .acceptRanges: "bytes",
                                   .contentType: blob.contentType]
        if let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { let tag = $0.trimmingCharacters(in: .whitespaces); return tag == etag || tag == "W/" + etag || tag == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        let size = Int(blob.bytes)
        var range: ClosedRange<Int>?
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true {
            switch Self.byteRange(header, size: size) {
            case .whole: break
            case .part(let part): range = part
            case .unsatisfiable:
                throw APIError(.rangeNotSatisfiable, "range_not_satisfiable", "the file has \(size) bytes; \(header) is outside it",
                               headers: [.contentRange: "bytes */\(size)"])
            }
        }
        let body: ResponseBody
        do {
            body = size == 0 ? ResponseBody() : try await FileIO().loadFile(path: blob.path, range: range ?? 0...(size - 1), context: context)
        } catch {
            throw APIError(.notFound, "unknown_blob", "the file \(id) was purged")
        }
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        headers[.contentLength] = String(size)
        return Response(status: .ok, headers: headers, body: body)
    }

    enum ByteRange: Equatable {
        case whole
        case part(ClosedRange<Int>)
        case unsatisfiable
    }

    /// One `bytes=` range of a file of `size` bytes (RFC 9110 §14.1.2). A header this server does
    /// not take (other units, several ranges, malformed) is ignored: the whole file is sent.
    static func byteRange(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let (first, last) = (spec[..<dash], spec[spec.index(after: dash)...])
        if first.isEmpty {
            // The last N bytes.
            guard let suffix = Int(last), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0, last.isEmpty || Int(last) != nil else { return .whole }
        let end = last.isEmpty ? size - 1 : min(Int(last)!, size - 1)
        guard start < size else { return .unsatisfiable }
        guard end >= start else { return .whole }
        return .part(start...end)
    }
}
