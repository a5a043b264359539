// libFuzzer target `text`: validation and rendering of a text post (Pango and Cairo), with the
// input's first byte choosing the font and background. Any UTF-8 (or not) may be refused with a
// `MediaError`; nothing may crash, and an accepted post renders inside its boxes.
import CFuzzDriver
import FuzzMediaSupport
import StatusCore
import StatusMedia

/// A quarter-size canvas, 270×480 (see `FuzzMedia.configuration`).
let renderer = TextRenderer(configuration: FuzzMedia.configuration(display: (270, 480)))
let backgrounds = [nil, "#075E54", "#000000", "#FFFFFF", "not a colour"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let choice = Int(data[0])
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let font = choice % 8 == 7 ? nil : choice % 8
    guard let (rendered, _) = try? renderer.render(text: text, background: backgrounds[(choice / 8) % backgrounds.count],
                                                   font: font) else { return 0 }
    FuzzMedia.checkRenditions(rendered, renderer.configuration.renditions)
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzText_main")
public func fuzzTextMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
