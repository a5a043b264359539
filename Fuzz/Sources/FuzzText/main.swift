// libFuzzer target `text`: validation and rendering of a text post (Pango and Cairo), with the
// input's first byte choosing the font and background. Any UTF-8 (or not) may be refused with a
// `MediaError`; nothing may crash, and an accepted post renders inside its boxes.
import CFuzzDriver
import StatusCore
import StatusMedia

/// The product's limits and fonts on a quarter-size canvas (270×480), so that each input costs
/// far less and the fuzzer tries many more; layout, shaping and drawing are the same.
let configuration: MediaConfiguration = {
    var configuration = MediaConfiguration.default
    configuration.renditions = RenditionSettings(display: RenditionSpec(maxWidth: 270, maxHeight: 480, quality: 85),
                                                 thumb: RenditionSpec(maxWidth: 32, maxHeight: 32, quality: 80))
    return configuration
}()
let renderer = TextRenderer(configuration: configuration)
let backgrounds = [nil, "#075E54", "#000000", "#FFFFFF", "not a colour"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let choice = Int(data[0])
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let font = choice % 8 == 7 ? nil : choice % 8
    guard let (rendered, _) = try? renderer.render(text: text, background: backgrounds[(choice / 8) % backgrounds.count],
                                                   font: font) else { return 0 }
    let renditions = renderer.configuration.renditions
    for (rendition, spec) in [(rendered.display, renditions.display), (rendered.thumb, renditions.thumb)] {
        precondition(rendition.width >= 1 && rendition.height >= 1 && !rendition.bytes.isEmpty, "an empty rendition")
        precondition(rendition.width <= spec.maxWidth && rendition.height <= spec.maxHeight,
                     "a rendition outside its box")
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzText_main")
public func fuzzTextMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
