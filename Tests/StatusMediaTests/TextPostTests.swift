import Testing
import StatusCore
@testable import StatusMedia

@Suite struct TextPostTests {
    let config = MediaConfiguration.default

    func code(_ body: () throws -> Void) -> MediaError.Code? {
        do { try body(); return nil } catch let e as MediaError { return e.code } catch { return nil }
    }

    @Test func acceptsOrdinaryPosts() throws {
        let post = try config.validateTextPost(text: "مرحبا بالعالم", background: "#128c7e", font: 3)
        #expect(post.graphemeCount == 13)
        #expect(post.background == RGBColour(red: 0x12, green: 0x8C, blue: 0x7E))
        #expect(post.fontFamily == "Noto Naskh Arabic")
    }

    @Test func countsGraphemeClustersAsPeopleSeeThem() throws {
        // 700 family emoji (each 7 scalars, 25 UTF-8 bytes) are 700 characters: accepted.
        let family = String(repeating: "👨‍👩‍👧‍👦", count: 700)
        #expect(try config.validateTextPost(text: family, background: nil, font: nil).graphemeCount == 700)
        // e + combining acute, 700 times: 700 characters.
        let accents = String(repeating: "e\u{301}", count: 700)
        #expect(try config.validateTextPost(text: accents, background: nil, font: nil).graphemeCount == 700)
        // Skin-tone thumbs and flags.
        #expect(try config.validateTextPost(text: "👍🏽🇪🇬", background: nil, font: nil).graphemeCount == 2)
        #expect(code { _ = try config.validateTextPost(text: family + "👍", background: nil, font: nil) } == .textTooLong)
    }

    @Test func refusesEmptyAndInvisibleText() {
        for text in ["", "   ", "\n\t", "\u{200B}\u{200D}", "\u{202E}", "\u{0007}"] {
            #expect(code { _ = try config.validateTextPost(text: text, background: nil, font: nil) } == .textEmpty,
                    "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test(arguments: ["128C7E", "#12345", "#1234567", "#GGGGGG", "red", "", "#12 45 6", "＃128C7E"])
    func refusesBadColours(_ colour: String) {
        #expect(code { _ = try config.validateTextPost(text: "hi", background: colour, font: nil) } == .badColour)
    }

    @Test(arguments: [-1, 5, 1000, Int.max])
    func refusesFontsOutsideTheConfiguredRange(_ font: Int) {
        #expect(code { _ = try config.validateTextPost(text: "hi", background: nil, font: font) } == .badFont)
    }

    @Test func captions() throws {
        try config.validateCaption("")
        try config.validateCaption(String(repeating: "ا", count: 700))
        #expect(code { try config.validateCaption(String(repeating: "a", count: 701)) } == .captionTooLong)
    }

    @Test func colourRoundTrip() {
        #expect(RGBColour(hex: "#00ff7F")?.hex == "#00FF7F")
        #expect(RGBColour(hex: "#00ff7") == nil)
    }
}
