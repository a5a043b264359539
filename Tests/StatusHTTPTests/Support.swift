import Foundation
import Hummingbird
import HummingbirdTesting
import StatusEngine
import StatusHTTP
import Testing
import Yams

/// A real engine on a seeded data directory with the demo ads, served in-process, and a client
/// that checks every answer against `openapi.yaml`: its status must be one the document lists
/// for the operation, and a JSON body must match the documented schema field for field.
struct Harness: Sendable {
    static let at = "2026-11-25T12:00:00Z"
    static let tokens: [Role: String] = [.feed: "feed-token", .moderator: "moderator-token", .adops: "adops-token"]

    let engine: Engine
    let directory: String
    let api: StatusAPI

    static func with(configuration: EngineConfiguration = .default, limits: BodyLimits? = nil, users: Int = 60,
                     _ body: @escaping @Sendable (Harness, Client) async throws -> Void) async throws {
        StatusAPI.bootstrapMetrics()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("status-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try Engine.open(dataDirectory: directory, configuration: configuration, durableFiles: false)
        _ = try await engine.seedDemo(DemoPopulation.Parameters(users: users, contacts: 20, posters: 0.8, seed: 2), fixtures: "fixtures",
                                      at: Timestamp(parsing: Self.at)!)
        #expect(try await engine.loadAds(manifest: "fixtures/ads/demo.json", partial: false).errors.isEmpty)
        var hashes: [String: [String]] = [:]
        for (role, token) in tokens { hashes[role.rawValue] = [Access.digest(of: token)] }
        let api = try StatusAPI(engine: engine, access: try Access(hashes: hashes), uploads: directory + "/uploads", limits: limits)
        let harness = Harness(engine: engine, directory: directory, api: api)
        let app = Application(router: api.router())
        try await app.test(.router) { client in
            try await body(harness, Client(client: client, document: try OpenAPIDocument.shared()))
        }
        try await engine.settleAds()
    }
}

/// What a test reads of an answer.
struct Answer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var text: String { String(buffer: body) }
}

struct Client: Sendable {
    let client: any TestClientProtocol
    let document: OpenAPIDocument

    /// Sends a request as `role` (nil: no token) and checks the answer against the document.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, as role: Role? = .feed, headers: HTTPFields = [:],
              json: String? = nil, body: ByteBuffer? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> Answer {
        var fields = headers
        if let role { fields[.authorization] = "Bearer \(Harness.tokens[role]!)" }
        var payload = body
        if let json {
            fields[.contentType] = fields[.contentType] ?? "application/json"
            payload = ByteBuffer(string: json)
        }
        let answer = try await client.execute(uri: uri, method: method, headers: fields, body: payload) { response in
            Answer(status: response.status, headers: response.headers, body: response.body)
        }
        let problems = document.check(method: method, uri: uri, answer: answer)
        #expect(problems.isEmpty, "\(method) \(uri) → \(answer.status.code): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
        return answer
    }

    /// A multipart/form-data body of `fields` and `files` (name, file name, type, bytes).
    static func form(_ fields: [(String, String)], files: [(name: String, filename: String, type: String, bytes: [UInt8])],
                     boundary: String = "status-test-boundary") -> (HTTPFields, ByteBuffer) {
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(bytes: body))
    }
}

func fixture(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: "fixtures/" + path)))
}

/// `openapi.yaml`, read with Yams, and a checker for the subset of JSON Schema it uses: `type`,
/// `properties`, `required`, `additionalProperties: false`, `items`, `enum`, `$ref`, `oneOf`.
struct OpenAPIDocument: @unchecked Sendable {
    // @unchecked: the parsed YAML is read only after loading.
    let root: [String: Any]

    struct Operation {
        var method: String
        var path: String
        var role: String?
        var spec: [String: Any]
    }

    private static let loaded: Result<OpenAPIDocument, any Error> = Result {
        let text = try String(contentsOfFile: "openapi.yaml", encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw StoreError(.invalid, "openapi.yaml is not a mapping") }
        return OpenAPIDocument(root: root)
    }

    static func shared() throws -> OpenAPIDocument { try loaded.get() }

    var operations: [Operation] {
        let paths = root["paths"] as? [String: Any] ?? [:]
        var operations: [Operation] = []
        for (path, item) in paths {
            for (method, spec) in item as? [String: Any] ?? [:] where ["get", "put", "post", "delete", "patch", "head"].contains(method) {
                let spec = spec as? [String: Any] ?? [:]
                operations.append(Operation(method: method.uppercased(), path: path, role: spec["x-role"] as? String, spec: spec))
            }
        }
        return operations
    }

    /// The documented operation a request goes to: the path template matching the URI's path.
    func operation(method: String, path: String) -> Operation? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return operations.first { operation in
            guard operation.method == method else { return false }
            let template = operation.path.split(separator: "/", omittingEmptySubsequences: false)
            return template.count == segments.count && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// What is wrong with `answer` by the document (nothing: empty).
    func check(method: HTTPRequest.Method, uri: String, answer: Answer) -> [String] {
        let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard let operation = operation(method: method.rawValue, path: path) else {
            // An unknown route: the framework's own 404 or 405, answered as an API error.
            return answer.status == .notFound || answer.status == .methodNotAllowed
                ? validate((try? JSONDecoder().decode(JSONAny.self, from: Data(buffer: answer.body))) ?? .null,
                           resolve(["$ref": "#/components/schemas/Error"]), at: "body")
                : ["no documented operation for \(method) \(path)"]
        }
        let responses = operation.spec["responses"] as? [String: Any] ?? [:]
        guard let documented = responses[String(answer.status.code)] else {
            return ["status \(answer.status.code) is not documented (documented: \(responses.keys.sorted().joined(separator: ", ")))"]
        }
        let response = resolve(documented)
        guard let content = response["content"] as? [String: Any] else { return [] }
        let type = answer.headers[.contentType]?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[type] as? [String: Any] else {
            return ["content type \(type.debugDescription) is not documented for \(answer.status.code) (documented: \(content.keys.sorted().joined(separator: ", ")))"]
        }
        guard type == "application/json", let schema = media["schema"] else { return [] }
        guard let json = try? JSONDecoder().decode(JSONAny.self, from: Data(buffer: answer.body)) else { return ["the body is not JSON"] }
        return validate(json, resolve(schema), at: "body")
    }

    func resolve(_ node: Any) -> [String: Any] {
        var node = node as? [String: Any] ?? [:]
        while let reference = node["$ref"] as? String {
            let parts = reference.dropFirst(2).split(separator: "/").map(String.init)
            var target: Any = root
            for part in parts { target = (target as? [String: Any])?[part] ?? [:] }
            node = target as? [String: Any] ?? [:]
        }
        return node
    }

    func validate(_ value: JSONAny, _ schema: [String: Any], at path: String) -> [String] {
        if let branches = schema["oneOf"] as? [Any] {
            let results = branches.map { validate(value, resolve($0), at: path) }
            return results.contains(where: \.isEmpty) ? [] : ["\(path): matches none of oneOf: " + results.map { $0.joined(separator: ", ") }.joined(separator: " | ")]
        }
        var problems: [String] = []
        let types: [String]
        switch schema["type"] {
        case let one as String: types = [one]
        case let many as [Any]: types = many.compactMap { $0 as? String }
        default: types = []
        }
        if !types.isEmpty {
            let fits = types.contains(value.typeName) || (value.typeName == "integer" && types.contains("number"))
            guard fits else { return ["\(path): \(value.typeName), documented as \(types.joined(separator: " or "))"] }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == value.scalarText }) {
            problems.append("\(path): \(value.scalarText) is not one of \(allowed)")
        }
        switch value {
        case .object(let object):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path).\(key): required, missing")
            }
            for (key, member) in object {
                if let property = properties[key] {
                    problems += validate(member, resolve(property), at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path).\(key): not documented")
                }
            }
        case .array(let array):
            if let items = schema["items"] {
                for (index, element) in array.enumerated() { problems += validate(element, resolve(items), at: "\(path)[\(index)]") }
            }
        default: break
        }
        return problems
    }
}

/// Any JSON value, with integers told from other numbers and booleans from numbers.
indirect enum JSONAny: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONAny]), object([String: JSONAny])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let value = try? c.decode(Bool.self) { self = .bool(value) }
        else if let value = try? c.decode(Int.self) { self = .int(value) }
        else if let value = try? c.decode(Double.self) { self = .double(value) }
        else if let value = try? c.decode(String.self) { self = .string(value) }
        else if let value = try? c.decode([JSONAny].self) { self = .array(value) }
        else { self = .object(try c.decode([String: JSONAny].self)) }
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    var scalarText: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .int(let value): return "\(value)"
        case .double(let value): return "\(value)"
        case .string(let value): return value
        default: return typeName
        }
    }
}
