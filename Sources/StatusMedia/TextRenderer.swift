import CPangoCairo
import Foundation
import StatusCore

/// How a text post was laid out.
public struct TextDetails: Sendable, Equatable {
    /// Grapheme clusters in the post.
    public var graphemeCount: Int
    /// The background colour.
    public var background: RGBColour
    /// The text colour chosen for contrast.
    public var textColour: RGBColour
    /// WCAG 2 contrast ratio between text and background (always ≥ 4.5).
    public var contrast: Double
    /// The font family asked for (fallback fonts fill in missing scripts).
    public var fontFamily: String
    /// Font size of the display rendition, in pixels.
    public var displayFontSize: Double
    /// Glyphs no installed font could draw (0 means none renders as a box).
    public var unknownGlyphs: Int
}

/// Renders text posts as pictures with Pango and Cairo: the words set as large as fits on the
/// post's background colour, wrapped by words, each paragraph aligned to its own start
/// (right-to-left paragraphs to the right; HarfBuzz shaping, FriBidi) inside a centred block,
/// colour emoji, and fontconfig fallback fonts for
/// scripts the chosen family lacks. `display` is 1080×1920 and `thumb` 320×320 (the same text
/// laid out again for the square, not a crop); both PNG, which suits flat colour.
///
/// Hostile text is made safe before layout: control characters other than newlines are
/// dropped, and a grapheme cluster keeps at most 8 combining marks (so 10,000 marks on one
/// letter render as a letter with a few marks, quickly).
public struct TextRenderer: Sendable {
    /// Limits, fonts and rendition sizes.
    public var configuration: MediaConfiguration
    /// Most combining marks kept per grapheme cluster.
    public static let maxMarksPerCluster = 8

    /// A renderer using the given configuration.
    public init(configuration: MediaConfiguration = .default) {
        self.configuration = configuration
    }

    /// Validates and renders a text post.
    public func render(text: String, background: String?, font: Int?) throws -> (RenderedMedia, TextDetails) {
        let post = try configuration.validateTextPost(text: text, background: background, font: font)
        return try render(post)
    }

    /// Renders an already validated text post into `display` and `thumb`.
    public func render(_ post: ValidatedTextPost) throws -> (RenderedMedia, TextDetails) {
        let clean = Self.sanitize(post.text)
        let (textColour, contrast) = Self.textColour(on: post.background)
        let settings = configuration.renditions
        let display = try Self.draw(clean, family: post.fontFamily, background: post.background, colour: textColour,
                                    width: settings.display.maxWidth, height: settings.display.maxHeight)
        let thumbSide = min(settings.thumb.maxWidth, settings.thumb.maxHeight)
        let thumb = try Self.draw(clean, family: post.fontFamily, background: post.background, colour: textColour,
                                  width: thumbSide, height: thumbSide)
        let details = TextDetails(graphemeCount: post.graphemeCount, background: post.background, textColour: textColour,
                                  contrast: (contrast * 100).rounded() / 100, fontFamily: post.fontFamily,
                                  displayFontSize: display.fontSize, unknownGlyphs: max(display.unknownGlyphs, thumb.unknownGlyphs))
        let info = MediaInfo(kind: .text, format: .png, width: display.image.width, height: display.image.height,
                             byteCount: post.text.utf8.count)
        let rendered = RenderedMedia(
            info: info,
            display: Rendition(width: display.image.width, height: display.image.height, format: .png,
                               bytes: try PNGCodec.encode(display.image)),
            thumb: Rendition(width: thumb.image.width, height: thumb.image.height, format: .png,
                             bytes: try PNGCodec.encode(thumb.image)))
        return (rendered, details)
    }

    // MARK: - Text hygiene

    /// Drops control characters (newlines kept, tabs become spaces, CR LF becomes LF) and caps
    /// combining marks per grapheme cluster.
    static func sanitize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for cluster in text.replacingOccurrences(of: "\r\n", with: "\n") {
            var marks = 0
            for scalar in cluster.unicodeScalars {
                switch scalar.properties.generalCategory {
                case .control:
                    if scalar == "\n" { out.append(scalar) } else if scalar == "\t" { out.append(" ") }
                    continue
                case .nonspacingMark, .enclosingMark, .spacingMark:
                    marks += 1
                    if marks > maxMarksPerCluster { continue }
                case .surrogate:
                    continue
                default:
                    break
                }
                out.append(scalar)
            }
        }
        return String(out)
    }

    // MARK: - Colour

    /// WCAG 2 relative luminance of an sRGB colour.
    static func luminance(_ c: RGBColour) -> Double {
        func channel(_ v: UInt8) -> Double {
            let s = Double(v) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(c.red) + 0.7152 * channel(c.green) + 0.0722 * channel(c.blue)
    }

    /// WCAG 2 contrast ratio of two colours (1…21).
    public static func contrast(_ a: RGBColour, _ b: RGBColour) -> Double {
        let la = luminance(a), lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    /// White or black, whichever contrasts more with `background` (at least 4.58:1 for any colour).
    static func textColour(on background: RGBColour) -> (RGBColour, Double) {
        let white = RGBColour.white, black = RGBColour(red: 0, green: 0, blue: 0)
        let cw = contrast(white, background), cb = contrast(black, background)
        return cw >= cb ? (white, cw) : (black, cb)
    }

    // MARK: - Layout and drawing

    struct Drawn {
        var image: RGBImage
        var fontSize: Double
        var unknownGlyphs: Int
    }

    /// Lays `text` out centred in `width`×`height` at the largest size that fits, and draws it.
    static func draw(_ text: String, family: String, background: RGBColour, colour: RGBColour,
                     width: Int, height: Int) throws -> Drawn {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
            throw MediaError(.writeFailed, "cannot create a drawing surface")
        }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else {
            throw MediaError(.writeFailed, "cannot create a drawing surface")
        }
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, Double(background.red) / 255, Double(background.green) / 255, Double(background.blue) / 255)
        cairo_paint(cr)

        guard let layout = pango_cairo_create_layout(cr) else { throw MediaError(.writeFailed, "cannot create a text layout") }
        defer { status_layout_free(layout) }
        guard let font = pango_font_description_new() else { throw MediaError(.writeFailed, "cannot create a font") }
        defer { pango_font_description_free(font) }
        pango_font_description_set_family(font, family)
        let scale = Double(status_pango_scale())
        let margin = Double(min(width, height)) * 0.08
        let boxWidth = Double(width) - 2 * margin, boxHeight = Double(height) - 2 * margin
        pango_layout_set_width(layout, Int32(boxWidth * scale))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        // Each paragraph aligned to its own start (Pango flips LEFT for right-to-left paragraphs);
        // the block as a whole is centred below.
        pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        pango_layout_set_auto_dir(layout, 1)
        pango_layout_set_text(layout, text, -1)

        func fits(_ size: Double) -> Bool {
            pango_font_description_set_absolute_size(font, size * scale)
            pango_layout_set_font_description(layout, font)
            var ink = PangoRectangle(), logical = PangoRectangle()
            pango_layout_get_pixel_extents(layout, &ink, &logical)
            let w = max(Double(logical.width), Double(ink.width)), h = max(Double(logical.height), Double(ink.height))
            return w <= boxWidth + 0.5 && h <= boxHeight + 0.5
        }
        // Largest size that fits, by bisection between a readable floor and a headline ceiling.
        var lo = 2.0, hi = Double(min(width, height)) * 0.2
        if fits(hi) { lo = hi } else {
            for _ in 0..<14 {
                let mid = (lo + hi) / 2
                if fits(mid) { lo = mid } else { hi = mid }
                if hi - lo < 0.25 { break }
            }
        }
        let size = (lo * 4).rounded(.down) / 4
        pango_font_description_set_absolute_size(font, size * scale)
        pango_layout_set_font_description(layout, font)

        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, &ink, &logical)
        // Centre the ink vertically and the block of lines horizontally.
        let top = (Double(height) - Double(ink.height)) / 2 - Double(ink.y)
        let left = (Double(width) - Double(logical.width)) / 2 - Double(logical.x)
        cairo_move_to(cr, left.rounded(), top.rounded())
        cairo_set_source_rgb(cr, Double(colour.red) / 255, Double(colour.green) / 255, Double(colour.blue) / 255)
        pango_cairo_show_layout(cr, layout)
        let unknown = Int(pango_layout_get_unknown_glyphs_count(layout))

        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { throw MediaError(.writeFailed, "no pixels drawn") }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var image = RGBImage(width: width, height: height)
        image.pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let row = data + y * stride
                for x in 0..<width {
                    // CAIRO_FORMAT_RGB24: a native-endian 32-bit xRGB word per pixel.
                    let word = UnsafeRawPointer(row + x * 4).loadUnaligned(as: UInt32.self)
                    let i = (y * width + x) * 3
                    dst[i] = UInt8(truncatingIfNeeded: word >> 16)
                    dst[i + 1] = UInt8(truncatingIfNeeded: word >> 8)
                    dst[i + 2] = UInt8(truncatingIfNeeded: word)
                }
            }
        }
        return Drawn(image: image, fontSize: size, unknownGlyphs: unknown)
    }
}
