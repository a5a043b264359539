import Foundation
import Testing
@testable import StatusEngine

@Suite struct AdTokenTests {
    @Test func tokensVerifyNeverLookLikeOptionsAndRefuseAnyOtherSecret() {
        var ids = Set<String>()
        for _ in 0..<2_000 {
            let token = AdToken.issue(secret: "a secret of sixteen bytes")
            #expect(!token.text.hasPrefix("-"))
            #expect(AdToken.verify(token.text, secret: "a secret of sixteen bytes") == token.id)
            #expect(AdToken.verify(token.text, secret: "another secret, sixteen") == nil)
            ids.insert(token.id)
        }
        #expect(ids.count == 2_000)
    }

    @Test func base64urlMatchesFoundationAndOnlyTheCanonicalSpellingDecodes() {
        var random = SystemRandomNumberGenerator()
        for length in 0..<48 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                let encoded = AdToken.base64url(bytes)
                #expect(encoded == expected)
                #expect(AdToken.unbase64url(Array(encoded.utf8)) == bytes)
                // The last character with a spare bit set spells the same bytes non-canonically.
                if length % 3 != 0 {
                    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
                    var other = Array(encoded.utf8)
                    let value = alphabet.firstIndex(of: other[other.count - 1])!
                    #expect(value & 1 == 0)
                    other[other.count - 1] = alphabet[value | 1]
                    #expect(AdToken.unbase64url(other) == nil)
                }
            }
        }
        for bad in ["A", "ab=c", "a+b", "a/bc", "é"] { #expect(AdToken.unbase64url(Array(bad.utf8)) == nil, "\(bad)") }
    }
}
