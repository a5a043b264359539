import Foundation
import Hummingbird
import StatusCore

/// Request bodies streamed to files under the uploads folder, with their limits enforced as the
/// bytes arrive: an upload is never held whole in memory, and one over its limit is refused (413)
/// as soon as it passes it, its file removed.
struct UploadFolder: Sendable {
    let path: String

    /// A new folder of its own for one request's files, removed by `discard`.
    func makeScratch() throws -> String {
        let scratch = path + "/" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw APIError(.internalServerError, "io_error", "cannot create an upload folder under \(path)")
        }
        return scratch
    }

    /// Removes the scratch folders under `path` last changed more than `seconds` ago.
    static func sweep(_ path: String, olderThan seconds: Int) {
        let cutoff = Date().addingTimeInterval(-Double(seconds))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let entry = path + "/" + name
            if let changed = (try? FileManager.default.attributesOfItem(atPath: entry))?[.modificationDate] as? Date, changed < cutoff {
                try? FileManager.default.removeItem(atPath: entry)
            }
        }
    }

    static func discard(_ scratch: String) {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Streams a raw body into `file`, refusing it past `limit` bytes. Returns the byte count.
    static func stream(_ body: RequestBody, to file: String, limit: Int) async throws -> Int {
        var writer = try FileWriter(path: file, limit: limit)
        defer { writer.close() }
        try await BodyReading.forEach(body) { chunk in
            try chunk.withUnsafeReadableBytes { try writer.write(ArraySlice($0)) }
        }
        return writer.written
    }

    /// Streams a multipart body, handing each part to `sink`; the body as a whole may not pass
    /// `limit` bytes.
    static func stream(_ body: RequestBody, multipart contentType: String, limit: Int, into sink: inout some PartSink) async throws {
        guard var reader = MultipartReader(contentType: contentType) else {
            throw APIError(.badRequest, "bad_multipart", "multipart/form-data needs a boundary parameter of 1 to 70 characters")
        }
        var total = 0
        try await BodyReading.forEach(body) { chunk in
            total += chunk.readableBytes
            guard total <= limit else { throw tooLarge(limit) }
            try chunk.withUnsafeReadableBytes { try reader.feed($0, into: &sink) }
        }
        try reader.finish()
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "too_large", "the body is over this route's limit of \(limit) bytes")
    }
}

/// Writes a file with POSIX calls, refusing to grow it past a limit.
struct FileWriter {
    let path: String
    let limit: Int
    private var descriptor: Int32
    private(set) var written = 0

    init(path: String, limit: Int) throws {
        self.path = path
        self.limit = limit
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw APIError(.internalServerError, "io_error", "cannot create an upload file: \(String(cString: strerror(errno)))")
        }
    }

    mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        written += bytes.count
        guard written <= limit else { throw UploadFolder.tooLarge(limit) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let result = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw APIError(.internalServerError, "io_error", "cannot write an upload file: \(String(cString: strerror(errno)))")
                }
                offset += result
            }
        }
    }

    mutating func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }
}

/// The parts of a form: small text fields kept in memory, file parts written to files in a
/// scratch folder under names the form chose (checked to stay inside the folder).
struct FormParts: PartSink {
    let scratch: String
    /// Each file part's limit.
    let fileLimit: Int
    /// The form fields that hold files, each with the name its file is saved under in the
    /// scratch folder, given the part's headers.
    let fileFields: [String: (PartHeaders) throws -> String]
    static let fieldLimit = 4 << 10

    private(set) var fields: [String: String] = [:]
    /// Field name → the saved file's path and the name the part gave.
    private(set) var files: [(field: String, path: String, filename: String?)] = []
    private var current: (headers: PartHeaders, text: [UInt8]?, writer: FileWriter?)?

    init(scratch: String, fileLimit: Int, fileFields: [String: (PartHeaders) throws -> String]) {
        self.scratch = scratch
        self.fileLimit = fileLimit
        self.fileFields = fileFields
    }

    mutating func begin(_ part: PartHeaders) throws {
        if let saved = fileFields[part.name] {
            let name = try saved(part)
            let path = scratch + "/" + name
            guard !files.contains(where: { $0.path == path }) else {
                throw APIError(.badRequest, "bad_multipart", "two file parts are named \(name.debugDescription)")
            }
            let folder = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            current = (part, nil, try FileWriter(path: path, limit: fileLimit))
            files.append((part.name, path, part.filename))
        } else {
            guard fields[part.name] == nil else {
                throw APIError(.badRequest, "bad_multipart", "the field \(part.name.debugDescription) is given twice")
            }
            current = (part, [], nil)
        }
    }

    mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        guard var part = current else { return }
        if part.writer != nil {
            try part.writer!.write(bytes)
        } else {
            part.text!.append(contentsOf: bytes)
            guard part.text!.count <= Self.fieldLimit else {
                throw APIError(.contentTooLarge, "too_large", "the field \(part.headers.name.debugDescription) is over \(Self.fieldLimit) bytes")
            }
        }
        current = part
    }

    mutating func end() throws {
        guard var part = current else { return }
        current = nil
        if part.writer != nil {
            part.writer!.close()
        } else if let text = part.text {
            guard let value = String(validating: text, as: UTF8.self) else {
                throw APIError(.badRequest, "bad_multipart", "the field \(part.headers.name.debugDescription) is not UTF-8 text")
            }
            fields[part.headers.name] = value
        }
    }

    /// Closes a file left open by a body that failed midway.
    mutating func abandon() {
        current?.writer?.close()
        current = nil
    }

    /// A part's file name as a path inside the scratch folder: `RelativePath.isPlain`, the rule a
    /// manifest's media paths follow too.
    static func relativePath(_ name: String) throws -> String {
        guard RelativePath.isPlain(name) else {
            throw APIError(.badRequest, "bad_file_name", "the file name \(name.debugDescription) is not a relative path of plain names")
        }
        return name
    }
}

/// How request bodies are read: every chunk passes through here, so that a body that breaks off
/// (a malformed chunked encoding, a client gone) is `400 bad_body` rather than a server error,
/// and one still arriving at its deadline is `408 body_timeout`, however steadily it drips.
enum BodyReading {
    /// When the body of the request being handled must have arrived (set per request by the
    /// route table; nil: no deadline).
    @TaskLocal static var deadline: ContinuousClock.Instant?

    /// Hands `body` to `handle` chunk by chunk.
    static func forEach(_ body: RequestBody, _ handle: (ByteBuffer) throws -> Void) async throws {
        var chunks = body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await chunks.next()
            } catch let error as APIError {
                throw error
            } catch let error as any HTTPResponseError {
                throw error
            } catch {
                throw APIError(.badRequest, "bad_body", "the request body could not be read: \(error)")
            }
            guard let chunk else { return }
            if let deadline, ContinuousClock.now > deadline {
                // The rest of the body is not worth reading: the connection closes after the answer.
                throw APIError(.requestTimeout, "body_timeout", "the request body was still arriving at its deadline (server.body_timeout_s)",
                               headers: [.connection: "close"])
            }
            try handle(chunk)
        }
    }
}
