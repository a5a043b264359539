import StatusCore

/// A text post that passed validation: what the renderer and the store receive.
public struct ValidatedTextPost: Sendable, Equatable {
    /// The text as given, unchanged.
    public var text: String
    /// How many grapheme clusters (user-perceived characters) it has.
    public var graphemeCount: Int
    /// The background colour.
    public var background: RGBColour
    /// Index into the configured font families.
    public var font: Int
    /// The font family the id names.
    public var fontFamily: String
}

extension MediaConfiguration {
    /// The background a text post gets when none is chosen.
    public static let defaultTextBackground = RGBColour(red: 0x12, green: 0x8C, blue: 0x7E)

    /// Checks a text post: 1…`maxGraphemes` grapheme clusters with at least one visible one,
    /// a `#RRGGBB` background, and a font id within the configured fonts.
    ///
    /// Length is counted as people see it: "👍🏽", "é" written as e + U+0301, and a joined
    /// Arabic word's letters each count once per grapheme cluster.
    public func validateTextPost(text: String, background: String?, font: Int?) throws -> ValidatedTextPost {
        let count = text.count
        let visible = text.unicodeScalars.contains { scalar in
            !scalar.properties.isWhitespace && !scalar.properties.isDefaultIgnorableCodePoint
                && scalar.properties.generalCategory != .control
                && scalar.properties.generalCategory != .format
        }
        guard count > 0, visible else {
            throw MediaError(.textEmpty, "a text post needs at least one visible character")
        }
        guard count <= self.text.maxGraphemes else {
            throw MediaError(.textTooLong, "the text has \(count) characters; the limit is \(self.text.maxGraphemes)")
        }
        guard !text.utf8.contains(0) else {
            throw MediaError(.badText, "the text contains a NUL character (U+0000)")
        }
        let colour: RGBColour
        if let background {
            guard let parsed = RGBColour(hex: background) else {
                throw MediaError(.badColour, "background \(background.debugDescription) is not a colour written #RRGGBB")
            }
            colour = parsed
        } else {
            colour = Self.defaultTextBackground
        }
        let fontID = font ?? 0
        guard self.text.fonts.indices.contains(fontID) else {
            throw MediaError(.badFont, "font \(fontID) does not exist; fonts are 0…\(self.text.fonts.count - 1)")
        }
        return ValidatedTextPost(text: text, graphemeCount: count, background: colour, font: fontID,
                                 fontFamily: self.text.fonts[fontID])
    }

    /// Checks a caption of an image or video post (empty is fine).
    public func validateCaption(_ caption: String) throws {
        let count = caption.count
        guard count <= text.captionMaxGraphemes else {
            throw MediaError(.captionTooLong, "the caption has \(count) characters; the limit is \(text.captionMaxGraphemes)")
        }
        guard !caption.utf8.contains(0) else {
            throw MediaError(.badText, "the caption contains a NUL character (U+0000)")
        }
    }
}
