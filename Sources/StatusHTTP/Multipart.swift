import Foundation

/// One part's headers in a `multipart/form-data` body.
struct PartHeaders: Sendable, Equatable {
    /// The form field's name (`Content-Disposition: form-data; name="…"`).
    var name: String
    /// The file name, for a file part.
    var filename: String?
    var contentType: String?
}

/// Where a multipart body's parts go as they arrive.
protocol PartSink {
    mutating func begin(_ part: PartHeaders) throws
    mutating func write(_ bytes: ArraySlice<UInt8>) throws
    mutating func end() throws
}

/// A streaming `multipart/form-data` reader (RFC 7578): fed the body chunk by chunk, it hands
/// each part's bytes to a sink as they come, keeping in memory only what may be the start of the
/// next boundary. A part's headers are limited to 8 KiB; a body that ends before its closing
/// boundary is refused.
struct MultipartReader {
    private enum State { case preamble, afterBoundary, headers, body, done }

    /// `\r\n--boundary`: the body is read as if it began with `\r\n`, so the first boundary
    /// looks like every other.
    private let delimiter: [UInt8]
    private var pending: [UInt8] = [0x0D, 0x0A]
    private var state = State.preamble
    private(set) var parts = 0

    static let maxHeaderBytes = 8 << 10
    static let maxParts = 1_000
    /// Spaces and tabs allowed between a boundary and its line's CRLF (RFC 2046's transport
    /// padding); more is refused.
    static let maxBoundaryPadding = 64

    /// The reader for a `Content-Type` header's value, or nil when it is not
    /// `multipart/form-data` with a usable boundary.
    init?(contentType: String) {
        guard MediaType(contentType)?.essence == "multipart/form-data",
              let boundary = MediaType(contentType)?.parameters["boundary"],
              (1...70).contains(boundary.utf8.count) else { return nil }
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Reads `chunk`, handing complete and partial parts to `sink`.
    mutating func feed(_ chunk: some Collection<UInt8>, into sink: inout some PartSink) throws {
        pending.append(contentsOf: chunk)
        var start = 0
        defer { pending.removeFirst(start) }
        while true {
            switch state {
            case .done:
                start = pending.count  // the epilogue is ignored
                return
            case .preamble:
                guard let found = Self.find(delimiter, in: pending, from: start) else {
                    start = max(start, pending.count - (delimiter.count - 1))
                    return
                }
                start = found + delimiter.count
                state = .afterBoundary
            case .afterBoundary:
                // `--` closes the body; otherwise optional whitespace, then CRLF, then headers.
                guard pending.count - start >= 2 else { return }
                if pending[start] == 0x2D && pending[start + 1] == 0x2D {
                    start = pending.count
                    state = .done
                    return
                }
                // The padding is bounded whether it comes whole or a byte at a time, so that the
                // same body is read the same however it is cut.
                var index = start
                while index < pending.count, pending[index] == 0x20 || pending[index] == 0x09 { index += 1 }
                guard index - start <= Self.maxBoundaryPadding else {
                    throw APIError(.badRequest, "bad_multipart", "a boundary line is malformed (over \(Self.maxBoundaryPadding) bytes of padding)")
                }
                guard pending.count - index >= 2 else { return }
                guard pending[index] == 0x0D, pending[index + 1] == 0x0A else {
                    throw APIError(.badRequest, "bad_multipart", "a boundary line is malformed")
                }
                start = index + 2
                state = .headers
            case .headers:
                guard let end = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: pending, from: start) else {
                    if pending.count - start > Self.maxHeaderBytes {
                        throw APIError(.badRequest, "bad_multipart", "a part's headers are over \(Self.maxHeaderBytes) bytes")
                    }
                    return
                }
                guard end - start <= Self.maxHeaderBytes else {
                    throw APIError(.badRequest, "bad_multipart", "a part's headers are over \(Self.maxHeaderBytes) bytes")
                }
                parts += 1
                guard parts <= Self.maxParts else { throw APIError(.badRequest, "bad_multipart", "more than \(Self.maxParts) parts") }
                try sink.begin(Self.headers(pending[start..<end]))
                start = end + 4
                state = .body
            case .body:
                if let found = Self.find(delimiter, in: pending, from: start) {
                    if found > start { try sink.write(pending[start..<found]) }
                    try sink.end()
                    start = found + delimiter.count
                    state = .afterBoundary
                } else {
                    // Keep what may be the start of a delimiter split across chunks.
                    let safe = pending.count - (delimiter.count - 1)
                    if safe > start {
                        try sink.write(pending[start..<safe])
                        start = safe
                    }
                    return
                }
            }
        }
    }

    /// Throws unless the closing boundary was read.
    func finish() throws {
        guard state == .done else {
            throw APIError(.badRequest, "bad_multipart", "the multipart body ends before its closing boundary")
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay -> Int? in
            var index = start
            let last = hay.count - needle.count
            while index <= last {
                guard let base = hay.baseAddress,
                      let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, needle, needle.count) == 0 { return at }
                index = at + 1
            }
            return nil
        }
    }

    static func headers(_ block: ArraySlice<UInt8>) throws -> PartHeaders {
        guard let text = String(validating: block, as: UTF8.self) else {
            throw APIError(.badRequest, "bad_multipart", "a part's headers are not UTF-8")
        }
        var name: String?, filename: String?, contentType: String?
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else {
                throw APIError(.badRequest, "bad_multipart", "a part's header line has no colon")
            }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "content-disposition":
                guard let disposition = MediaType(value), disposition.essence == "form-data" else {
                    throw APIError(.badRequest, "bad_multipart", "a part is not form-data")
                }
                name = disposition.parameters["name"]
                filename = disposition.parameters["filename"]
            case "content-type": contentType = value
            default: break
            }
        }
        guard let name, !name.isEmpty else { throw APIError(.badRequest, "bad_multipart", "a part has no name") }
        return PartHeaders(name: name, filename: filename, contentType: contentType)
    }
}

/// A `type/subtype; key=value; key="quoted value"` header value (Content-Type,
/// Content-Disposition): the lowercased essence and the parameters (keys lowercased).
struct MediaType: Equatable {
    var essence: String
    var parameters: [String: String]

    init?(_ value: String) {
        var characters = Substring(value)
        func token() -> String {
            let end = characters.firstIndex { $0 == ";" || $0 == "=" } ?? characters.endIndex
            defer { characters = characters[end...] }
            return characters[..<end].trimmingCharacters(in: .whitespaces)
        }
        essence = token().lowercased()
        guard !essence.isEmpty else { return nil }
        parameters = [:]
        while characters.first == ";" {
            characters = characters.dropFirst()
            let key = token().lowercased()
            guard characters.first == "=" else {
                if key.isEmpty { continue }
                return nil
            }
            characters = characters.dropFirst().drop { $0 == " " || $0 == "\t" }
            var parameter = ""
            if characters.first == "\"" {
                characters = characters.dropFirst()
                var closed = false
                while let c = characters.first {
                    characters = characters.dropFirst()
                    if c == "\\", let escaped = characters.first {
                        parameter.append(escaped)
                        characters = characters.dropFirst()
                    } else if c == "\"" {
                        closed = true
                        break
                    } else {
                        parameter.append(c)
                    }
                }
                guard closed else { return nil }
                characters = characters.drop { $0 == " " || $0 == "\t" }
            } else {
                let end = characters.firstIndex(of: ";") ?? characters.endIndex
                parameter = characters[..<end].trimmingCharacters(in: .whitespaces)
                characters = characters[end...]
            }
            guard characters.isEmpty || characters.first == ";" else { return nil }
            parameters[key] = parameter
        }
        guard characters.isEmpty else { return nil }
    }
}
