import StatusEngine
import Testing

@Suite struct AdTokenTests {
    @Test func tokensVerifyNeverLookLikeOptionsAndRefuseAnyOtherSecret() {
        for _ in 0..<2_000 {
            let token = AdToken.issue(secret: "a secret of sixteen bytes")
            #expect(!token.text.hasPrefix("-"))
            #expect(AdToken.verify(token.text, secret: "a secret of sixteen bytes") == token.id)
            #expect(AdToken.verify(token.text, secret: "another secret, sixteen") == nil)
        }
    }
}
