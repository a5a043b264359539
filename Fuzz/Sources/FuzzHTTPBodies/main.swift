// libFuzzer target `http-bodies`: what the HTTP API reads from request bodies and parameters
// before the engine sees them. The input's first byte picks the reader, the rest is its input:
//   0  a JSON object body with the publish route's fields (`JSONFields`), every field read;
//   1  a user's body for `PUT /v1/users/{user}` (`UserImport.update`);
//   2  a time (`?at=`, `from`, `to`): strict RFC 3339, and what is read writes back the same;
//   3  a multipart/form-data body: the parts must be the same whether the body arrives whole or
//      cut into chunks (the second byte picks the chunk size);
//   4  a Content-Type header value (`MediaType`);
//   5  an ad event token (`AdToken.verify`): only tokens this server issued may pass.
// Anything may be refused with an error; nothing may crash.
import CFuzzDriver
import Foundation
import Hummingbird
import StatusCore
@testable import StatusEngine
@testable import StatusHTTP

let now = Timestamp(seconds: 1_790_000_000)
let user = UserID(rawValue: "u1")!
let publishFields = ["author", "text", "background", "font", "caption", "at"]
let secret = "fuzz-secret"

struct Collected: PartSink {
    var parts: [(PartHeaders, [UInt8])] = []
    mutating func begin(_ part: PartHeaders) throws { parts.append((part, [])) }
    mutating func write(_ bytes: ArraySlice<UInt8>) throws { parts[parts.count - 1].1 += bytes }
    mutating func end() throws {}
}

/// The parts of `body` fed `size` bytes at a time, or nil if the reader refused it.
func multipart(_ body: ArraySlice<UInt8>, chunk size: Int) -> [(PartHeaders, [UInt8])]? {
    guard var reader = MultipartReader(contentType: "multipart/form-data; boundary=XyZ") else {
        preconditionFailure("the fixed boundary is refused")
    }
    var sink = Collected()
    do {
        var offset = body.startIndex
        while offset < body.endIndex {
            let end = min(offset + size, body.endIndex)
            try reader.feed(body[offset..<end], into: &sink)
            offset = end
        }
        try reader.finish()
    } catch {
        return nil
    }
    return sink.parts
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPBodies(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let bytes = Array(input)
    switch data[0] % 6 {
    case 0:
        guard let fields = try? JSONFields(ByteBuffer(bytes: bytes), allowed: publishFields) else { return 0 }
        precondition(Set(fields.values.keys).isSubset(of: publishFields), "a field the route does not take")
        for key in publishFields {
            _ = try? fields.string(key)
            _ = try? fields.int(key)
            _ = try? fields.bool(key)
        }
    case 1:
        _ = try? UserImport.update(of: user, json: bytes, at: now)
    case 2:
        let text = String(decoding: bytes, as: UTF8.self)
        guard let time = Timestamp(parsing: text) else { return 0 }
        precondition(Timestamp(parsing: time.iso8601) == time, "a time that does not read back")
        precondition(time.seconds >= 0, "a time before 1970")
    case 3:
        guard let first = bytes.first else { return 0 }
        let body = bytes.dropFirst()
        let whole = multipart(body, chunk: max(body.count, 1))
        let cut = multipart(body, chunk: Int(first % 64) + 1)
        precondition((whole == nil) == (cut == nil), "a body accepted whole but not in chunks, or the other way")
        if let whole, let cut {
            precondition(whole.count == cut.count, "a different number of parts in chunks")
            for (a, b) in zip(whole, cut) {
                precondition(a.0 == b.0 && a.1 == b.1, "a part that differs when the body comes in chunks")
            }
            precondition(whole.count <= MultipartReader.maxParts, "more parts than the limit")
        }
    case 4:
        let text = String(decoding: bytes, as: UTF8.self)
        if let type = MediaType(text) {
            precondition(!type.essence.isEmpty && type.essence == type.essence.lowercased(), "an unnormalised media type")
        }
    default:
        let token = String(decoding: bytes, as: UTF8.self)
        if let id = AdToken.verify(token, secret: secret) {
            // A fuzzer cannot forge an HMAC-SHA256: only a real token's own spelling may pass.
            precondition(token == id + "." + AdToken.signature(id, secret: secret), "a token that passes without its signature")
        }
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzHTTPBodies_main")
public func fuzzHTTPBodiesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
