import Foundation
import StatusCore
import Testing
@testable import StatusMedia

/// Text posts are checked by their pixels: where the ink is, what colour the background is,
/// whether emoji are in colour and whether any glyph fell back to a box.
@Suite struct TextRendererTests {
    let renderer = TextRenderer()
    static let background = RGBColour(hex: "#1F6FEB")!

    func draw(_ text: String, background: RGBColour = TextRendererTests.background, side: (Int, Int) = (1080, 1920),
              family: String = "Noto Sans") throws -> TextRenderer.Drawn {
        let (colour, _) = TextRenderer.textColour(on: background)
        return try TextRenderer.draw(TextRenderer.sanitize(text), family: family, background: background, colour: colour,
                                     width: side.0, height: side.1)
    }

    /// Bounding box of pixels that differ from the background by more than `threshold`.
    func inkBox(_ image: RGBImage, background: RGBColour = TextRendererTests.background, threshold: Int = 60)
        -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        var box: (Int, Int, Int, Int)?
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = image.pixel(x: x, y: y)
                let d = abs(Int(p.r) - Int(background.red)) + abs(Int(p.g) - Int(background.green)) + abs(Int(p.b) - Int(background.blue))
                if d > threshold {
                    box = box.map { (min($0.0, x), min($0.1, y), max($0.2, x), max($0.3, y)) } ?? (x, y, x, y)
                }
            }
        }
        return box.map { (minX: $0.0, minY: $0.1, maxX: $0.2, maxY: $0.3) }
    }

    @Test func shortTextIsLargeCentredAndOnTheBackground() throws {
        let drawn = try draw("Hello")
        let box = try #require(inkBox(drawn.image))
        // Ink is present, large, and centred on both axes within a few pixels.
        #expect(box.maxX - box.minX > 400, "ink width \(box.maxX - box.minX)")
        #expect(abs((box.minX + box.maxX) / 2 - 540) <= 12)
        #expect(abs((box.minY + box.maxY) / 2 - 960) <= 12)
        // Corners are exactly the background colour.
        for (x, y) in [(0, 0), (1079, 0), (0, 1919), (1079, 1919), (540, 40)] {
            #expect(drawn.image.pixel(x: x, y: y) == (Self.background.red, Self.background.green, Self.background.blue))
        }
        #expect(drawn.unknownGlyphs == 0)
    }

    @Test(arguments: [
        String(repeating: "Status updates disappear after a day. ", count: 18),
        String(repeating: "الحالة تختفي بعد أربع وعشرين ساعة 😀 ", count: 19),
        String(repeating: "W", count: 700),
        String(repeating: "\n", count: 60) + "x",
    ])
    func longTextStaysInsideTheFrame(_ text: String) throws {
        let clipped = String(text.prefix(700))
        for side in [(1080, 1920), (320, 320)] {
            let drawn = try draw(clipped, side: side)
            let box = try #require(inkBox(drawn.image))
            #expect(box.minX >= 4 && box.minY >= 4 && box.maxX <= side.0 - 5 && box.maxY <= side.1 - 5,
                    "ink \(box) overflows \(side)")
        }
    }

    @Test func shortTextsAreSetLargerThanLongOnes() throws {
        let short = try draw("Hi")
        let long = try draw(String(repeating: "word ", count: 140))
        #expect(short.fontSize > 3 * long.fontSize, "\(short.fontSize) vs \(long.fontSize)")
        #expect(long.fontSize >= 20, "700 characters should stay readable, got \(long.fontSize) px")
    }

    /// An Arabic line is laid out right to left: its first word's ink is at the right.
    @Test func arabicLineStartsOnTheRight() throws {
        // "سلام" alone, then "سلام ....." with a long dot run after it: the first word stays right.
        let single = try #require(inkBox(try draw("سلام", side: (1080, 400)).image))
        let drawn = try draw("سلام ..........", side: (1080, 400))
        let box = try #require(inkBox(drawn.image))
        // The dots come after the word in reading order, so to its left.
        let wordWidth = single.maxX - single.minX
        var rightmostDark = 0
        for x in stride(from: box.maxX, through: box.minX, by: -1) {
            if (box.minY...box.maxY).contains(where: { y in
                let p = drawn.image.pixel(x: x, y: y)
                return abs(Int(p.r) - Int(Self.background.red)) > 60
            }) { rightmostDark = x; break }
        }
        #expect(rightmostDark == box.maxX)
        // The ink's tallest strokes (the word) are in the right part; the left part is the dots' flat row.
        let rightHeight = inkHeight(drawn.image, columns: (box.maxX - wordWidth)...box.maxX)
        let leftHeight = inkHeight(drawn.image, columns: box.minX...(box.minX + wordWidth / 2))
        #expect(rightHeight > 3 * leftHeight, "right \(rightHeight) vs left \(leftHeight)")
        // The same measure on a left-to-right line finds its first word on the left.
        let latin = try draw("Hold ..........", side: (1080, 400))
        let latinBox = try #require(inkBox(latin.image))
        let latinWord = try #require(inkBox(try draw("Hold", side: (1080, 400)).image))
        let latinWidth = latinWord.maxX - latinWord.minX
        let latinLeft = inkHeight(latin.image, columns: latinBox.minX...(latinBox.minX + latinWidth))
        let latinRight = inkHeight(latin.image, columns: (latinBox.maxX - latinWidth / 2)...latinBox.maxX)
        #expect(latinLeft > 3 * latinRight, "left \(latinLeft) vs right \(latinRight)")
    }

    /// Paragraphs align to their own start inside a centred block: a short last line of an
    /// Arabic post hugs the block's right edge, of a Latin post its left edge.
    @Test func paragraphsAlignToTheirStartInACentredBlock() throws {
        for (text, rightToLeft) in [("مرحبا بالعالم الجميل\nسلام", true), ("Hello wonderful world\nHi", false)] {
            let drawn = try draw(text, side: (1080, 900))
            let box = try #require(inkBox(drawn.image))
            let middle = (box.minY + box.maxY) / 2
            var lastMin = Int.max, lastMax = Int.min
            for y in middle...box.maxY {
                for x in box.minX...box.maxX {
                    let p = drawn.image.pixel(x: x, y: y)
                    if abs(Int(p.r) - Int(Self.background.red)) > 60 { lastMin = min(lastMin, x); lastMax = max(lastMax, x) }
                }
            }
            #expect(abs((box.minX + box.maxX) / 2 - 540) <= 12, "\(text): block not centred")
            if rightToLeft {
                #expect(box.maxX - lastMax <= 12 && lastMin - box.minX > 150, "\(text): last line \(lastMin)…\(lastMax) in \(box)")
            } else {
                #expect(lastMin - box.minX <= 12 && box.maxX - lastMax > 150, "\(text): last line \(lastMin)…\(lastMax) in \(box)")
            }
        }
    }

    func inkHeight(_ image: RGBImage, columns: ClosedRange<Int>) -> Int {
        var top = Int.max, bottom = Int.min
        for y in 0..<image.height {
            for x in columns {
                let p = image.pixel(x: x, y: y)
                if abs(Int(p.r) - Int(Self.background.red)) > 60 { top = min(top, y); bottom = max(bottom, y) }
            }
        }
        return bottom >= top ? bottom - top : 0
    }

    @Test func emojiAreDrawnInColour() throws {
        let drawn = try draw("🍊🍋🍏", background: RGBColour(hex: "#FFFFFF")!)
        var coloured = 0
        for i in stride(from: 0, to: drawn.image.pixels.count, by: 3) {
            let r = Int(drawn.image.pixels[i]), g = Int(drawn.image.pixels[i + 1]), b = Int(drawn.image.pixels[i + 2])
            if max(r, g, b) - min(r, g, b) > 80 { coloured += 1 }
        }
        #expect(coloured > 20_000, "only \(coloured) saturated pixels")
        #expect(drawn.unknownGlyphs == 0)
    }

    @Test(arguments: [
        "Hello, world", "مرحبا بالعالم", "שלום עולם", "سلام دنیا", "ہیلو ورلڈ", "नमस्ते दुनिया", "สวัสดีชาวโลก",
        "你好，世界", "こんにちは世界", "안녕하세요 세계", "Привет, мир", "Γειά σου Κόσμε", "হ্যালো বিশ্ব", "வணக்கம் உலகம்",
        "👨‍👩‍👧‍👦 👍🏽 🇪🇬", "Mixed عربي English 123 ١٢٣",
    ])
    func everyScriptHasAGlyph(_ text: String) throws {
        for font in TextLimits().fonts {
            let drawn = try draw(text, side: (540, 540), family: font)
            #expect(drawn.unknownGlyphs == 0, "\(text) in \(font): \(drawn.unknownGlyphs) boxes")
            #expect(inkBox(drawn.image) != nil)
        }
    }

    @Test(arguments: ["#000000", "#FFFFFF", "#777777", "#128C7E", "#FF0000", "#FFFF00", "#0000FF", "#767676", "#808080"])
    func textColourKeepsWCAGContrast(_ hex: String) throws {
        let background = try #require(RGBColour(hex: hex))
        let (colour, ratio) = TextRenderer.textColour(on: background)
        #expect(ratio >= 4.5)
        #expect(abs(TextRenderer.contrast(colour, background) - ratio) < 1e-9)
    }

    @Test func contrastMatchesWCAGReferenceValues() {
        #expect(abs(TextRenderer.contrast(RGBColour(hex: "#000000")!, RGBColour(hex: "#FFFFFF")!) - 21) < 0.01)
        #expect(abs(TextRenderer.contrast(RGBColour(hex: "#767676")!, RGBColour(hex: "#FFFFFF")!) - 4.54) < 0.01)
    }

    /// Hostile text renders safely and quickly: bidi overrides and isolates, 10,000 combining
    /// marks on one letter, zero-width joiners, control characters, replacement characters
    /// where the input bytes held unpaired surrogates.
    @Test func hostileTextRendersSafely() throws {
        let surrogateBytes: [UInt8] = [0x61, 0xED, 0xA0, 0x80, 0x62, 0xED, 0xBF, 0xBF] // CESU-style lone surrogates
        let cases = [
            "\u{202E}override\u{202C} \u{2067}isolate\u{2069} \u{202D}\u{202E}\u{202E}",
            "a" + String(repeating: "\u{0301}", count: 10_000),
            String(repeating: "\u{200D}", count: 500) + "x" + String(repeating: "\u{200B}", count: 500),
            "bell\u{07}esc\u{1B}[31m\tdel\u{7F} c1\u{85}",
            String(decoding: surrogateBytes, as: UTF8.self),
        ]
        for text in cases {
            let started = Date()
            let (rendered, details) = try renderer.render(text: text, background: "#000000", font: 0)
            #expect(Date().timeIntervalSince(started) < 30) // a guard against hangs, not a speed test
            #expect(rendered.display.width == 1080 && rendered.thumb.width == 320)
            #expect(details.unknownGlyphs >= 0)
        }
        // A NUL is refused before drawing: the store would keep the text only up to it.
        #expect(throws: MediaError.self) { try renderer.render(text: "null\u{0}hidden", background: "#000000", font: 0) }
        let zalgo = TextRenderer.sanitize("a" + String(repeating: "\u{0301}", count: 10_000))
        #expect(zalgo.unicodeScalars.count == 1 + TextRenderer.maxMarksPerCluster)
        #expect(TextRenderer.sanitize("a\u{07}b\tc\r\nd") == "ab c\nd")
    }

    /// A real long Arabic post (the product's origin article, with Latin words and numbers).
    @Test func realArabicArticleFitsWithEveryGlyph() throws {
        let text = try String(contentsOf: fixturesDirectory.deletingLastPathComponent().appendingPathComponent("text/article-ar.txt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (rendered, details) = try renderer.render(text: text, background: "#075E54", font: 3)
        #expect(details.graphemeCount > 600)
        #expect(details.unknownGlyphs == 0)
        #expect(details.displayFontSize >= 30, "\(details.displayFontSize) px")
        let display = try ImageProcessor().decodeUpright(rendered.display.bytes)
        let box = try #require(inkBox(display, background: RGBColour(hex: "#075E54")!))
        #expect(box.minX >= 4 && box.maxX <= 1075 && box.minY >= 4 && box.maxY <= 1915)
        // Right-aligned paragraph lines are centred: the block is roughly symmetric.
        #expect(abs((box.minX + box.maxX) / 2 - 540) < 60)
    }

    @Test func renditionsArePNGOfTheRightSizes() throws {
        let (rendered, details) = try renderer.render(text: "مرحبا 👋", background: "#128C7E", font: 3)
        #expect(rendered.display.format == .png && rendered.thumb.format == .png)
        #expect(Array(rendered.display.bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect((rendered.display.width, rendered.display.height) == (1080, 1920))
        #expect((rendered.thumb.width, rendered.thumb.height) == (320, 320))
        #expect(details.fontFamily == "Noto Naskh Arabic")
        // The PNG decodes back (through our own decoder) to the background at the corner.
        let display = try ImageProcessor().decodeUpright(rendered.display.bytes)
        #expect(display.pixel(x: 0, y: 0) == (0x12, 0x8C, 0x7E))
    }

    @Test func validationErrorsComeFirst() {
        #expect(throws: MediaError.self) { try renderer.render(text: " ", background: nil, font: nil) }
        #expect(throws: MediaError.self) { try renderer.render(text: "ok", background: "blue", font: nil) }
        #expect(throws: MediaError.self) { try renderer.render(text: "ok", background: nil, font: 99) }
    }
}
