import Foundation
import Hummingbird
import HummingbirdTesting
@testable import StatusHTTP
import StatusEngine
import Testing

/// The route table against `openapi.yaml`, and the role rules of every route.
@Suite struct RouteTests {
    @Test func theDocumentDescribesExactlyTheServersRoutesWithTheirRoles() throws {
        let engine = try Engine.open(dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("status-routes-\(UUID().uuidString)").path,
                                     configuration: .default, durableFiles: false)
        let api = try StatusAPI(engine: engine, access: try Access(hashes: [:]),
                                uploads: FileManager.default.temporaryDirectory.appendingPathComponent("status-uploads-\(UUID().uuidString)").path)
        let document = try OpenAPIDocument.shared()
        let served = Set(api.routes.map { "\($0.method) \($0.path) \($0.role?.rawValue ?? "-")" })
        let documented = Set(document.operations.map { "\($0.method) \($0.path) \($0.role ?? "-")" })
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(api.routes.count >= 28)
        // Every /v1 operation says its errors; the document names the bearer scheme.
        for operation in document.operations where operation.path.hasPrefix("/v1") {
            let responses = operation.spec["responses"] as? [String: Any] ?? [:]
            for status in ["400", "401", "403", "503"] {
                #expect(responses[status] != nil, "\(operation.method) \(operation.path) does not document \(status)")
            }
            if operation.path.contains("{") { #expect(responses["404"] != nil, "\(operation.method) \(operation.path) does not document 404") }
        }
    }

    @Test func everyRouteRefusesMissingOrWrongTokensAndTheOpenOnesNeedNone() async throws {
        try await Harness.with { harness, client in
            var checked = 0
            for route in harness.api.routes {
                let uri = route.path.replacingOccurrences(of: #"\{[a-z]+\}"#, with: "x1", options: .regularExpression)
                let method = HTTPRequest.Method(route.method)!
                guard let role = route.role else {
                    let answer = try await client.send(method, uri, as: nil)
                    #expect(answer.status == .ok, "\(route)")
                    continue
                }
                let bare = try await client.send(method, uri, as: nil)
                #expect(bare.status == .unauthorized && bare.errorCode == "unauthorized", "\(route)")
                #expect(bare.headers[.wwwAuthenticate] != nil, "\(route)")
                let forged = try await client.send(method, uri, as: nil, headers: [.authorization: "Bearer not-a-token"])
                #expect(forged.status == .unauthorized, "\(route)")
                for other in Role.allCases where other != role {
                    let wrong = try await client.send(method, uri, as: other)
                    #expect(wrong.status == .forbidden && wrong.errorCode == "forbidden", "\(route) as \(other)")
                }
                checked += 1
            }
            #expect(checked >= 26)
        }
    }

    @Test func tokensAreKeptAsDigestsAndBrowsersMayUseBasic() async throws {
        #expect(Access.digest(of: "feed-token").count == 64)
        #expect(throws: (any Error).self) { try Access(hashes: ["feed": ["not-a-digest"]]) }
        #expect(throws: (any Error).self) { try Access(hashes: ["owner": [Access.digest(of: "x")]]) }
        let access = try Access(hashes: ["feed": [Access.digest(of: "a")], "moderator": [Access.digest(of: "a"), Access.digest(of: "b")]])
        #expect(access.roles(of: "a") == [.feed, .moderator] && access.roles(of: "b") == [.moderator] && access.roles(of: "c").isEmpty)
        try await Harness.with { _, client in
            let basic = "Basic " + Data("anyone:adops-token".utf8).base64EncodedString()
            let page = try await client.send(.get, "/v1/ads/preview/u1?at=\(Harness.at)", as: nil, headers: [.authorization: basic])
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            let refused = try await client.send(.get, "/v1/ads/preview/u1", as: nil)
            #expect(refused.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            let wrongScheme = try await client.send(.get, "/v1/feed/u1", as: nil, headers: [.authorization: "Token feed-token"])
            #expect(wrongScheme.status == .unauthorized)
        }
    }

    @Test func unknownRoutesAndMethodsAnswerJSONErrorsWithRequestIDs() async throws {
        try await Harness.with { _, client in
            let missing = try await client.send(.get, "/v1/nothing/here")
            #expect(missing.status == .notFound && missing.errorCode == "not_found")
            #expect(missing.headers[.requestID]?.isEmpty == false)
            let health = try await client.send(.get, "/health", as: nil)
            #expect(health.object["status"] as? String == "ok" && health.headers[.requestID]?.isEmpty == false)
            let wrongMethod = try await client.send(.patch, "/v1/feed/u1")
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "GET")
            let trace = try await client.send(HTTPRequest.Method("TRACE")!, "/v1/users/u1/muted/u2")
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "DELETE, PUT")
            #expect(try await client.send(.get, "/v1/users/u1/muted").status == .notFound)
        }
    }
}

/// Request bodies field for field: every JSON body the document describes names exactly the
/// fields its route takes (the route's refusal of an unknown field lists them).
@Suite struct RequestBodyTests {
    @Test func documentedRequestFieldsAreTheFieldsEachRouteTakes() async throws {
        try await Harness.with { _, client in
            let document = client.document
            var compared = 0
            for operation in document.operations {
                guard let body = (operation.spec["requestBody"] as? [String: Any])?["content"] as? [String: Any],
                      let json = body["application/json"] as? [String: Any], let schema = json["schema"] else { continue }
                let properties = document.resolve(schema)["properties"] as? [String: Any] ?? [:]
                guard !properties.isEmpty, let role = operation.role.flatMap(Role.init(rawValue:)) else { continue }
                let uri = operation.path.replacingOccurrences(of: "{post}", with: "pzzzzzzzzzzzzzzzzzzzz")
                    .replacingOccurrences(of: #"\{[a-z]+\}"#, with: "u1", options: .regularExpression)
                let answer = try await client.send(HTTPRequest.Method(operation.method)!, uri, as: role, json: #"{"zz_undocumented": 1}"#)
                let message = (answer.object["error"] as? [String: Any])?["message"] as? String ?? ""
                guard let range = message.range(of: "this route takes ") ?? message.range(of: "expected one of ") else {
                    Issue.record("\(operation.method) \(operation.path): the refusal does not list the fields: \(message)")
                    continue
                }
                let taken = Set(message[range.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(taken == Set(properties.keys), "\(operation.method) \(operation.path): takes \(taken.sorted()), documents \(properties.keys.sorted())")
                compared += 1
            }
            #expect(compared >= 8)
        }
    }
}
