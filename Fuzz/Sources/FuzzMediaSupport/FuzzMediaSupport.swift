// What the media fuzz targets share: a configuration with small renditions, and the checks every
// accepted input's renditions must pass.
import StatusMedia

public enum FuzzMedia {
    /// The product's limits and code paths with small renditions (`display` fits the box given,
    /// the thumbnail 32×32) and, when given, a lower pixel limit: decoding, orientation, colour,
    /// resampling, drawing and encoding are the same, each input costs far less, and the fuzzer
    /// tries many more.
    public static func configuration(display: (width: Int, height: Int), maxPixels: Int? = nil) -> MediaConfiguration {
        var configuration = MediaConfiguration.default
        if let maxPixels { configuration.image.maxPixels = maxPixels }
        configuration.renditions = RenditionSettings(
            display: RenditionSpec(maxWidth: display.width, maxHeight: display.height, quality: 85),
            thumb: RenditionSpec(maxWidth: 32, maxHeight: 32, quality: 80))
        return configuration
    }

    /// Both renditions are non-empty and inside their boxes; `readBack`, when given, must read
    /// each one back at its own size.
    public static func checkRenditions(_ rendered: RenderedMedia, _ settings: RenditionSettings,
                                       readBack: (([UInt8]) -> (width: Int, height: Int)?)? = nil) {
        for (rendition, spec) in [(rendered.display, settings.display), (rendered.thumb, settings.thumb)] {
            precondition(rendition.width >= 1 && rendition.height >= 1 && !rendition.bytes.isEmpty, "an empty rendition")
            precondition(rendition.width <= spec.maxWidth && rendition.height <= spec.maxHeight,
                         "a rendition outside its box")
            if let readBack {
                let back = readBack(rendition.bytes)
                precondition(back?.width == rendition.width && back?.height == rendition.height,
                             "a rendition our own reader does not take back")
            }
        }
    }
}
