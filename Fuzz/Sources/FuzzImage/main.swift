// libFuzzer target `image`: sniff, header, decode and render of a still image (JPEG or PNG),
// the path every uploaded photo takes. Anything may be refused with a `MediaError`; nothing may
// crash, and what is accepted must give renditions inside their boxes that our own reader takes
// back.
import CFuzzDriver
import StatusCore
import StatusMedia

/// The product's limits and code paths with small renditions and images of at most 1 MP:
/// decoding, orientation, colour, resampling and encoding are the same, and each input costs far
/// less, so the fuzzer tries many more.
let configuration: MediaConfiguration = {
    var configuration = MediaConfiguration.default
    configuration.image.maxPixels = 1_000_000
    configuration.renditions = RenditionSettings(display: RenditionSpec(maxWidth: 96, maxHeight: 160, quality: 85),
                                                 thumb: RenditionSpec(maxWidth: 32, maxHeight: 32, quality: 80))
    return configuration
}()
let images = ImageProcessor(configuration: configuration)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let header = try? images.inspect(bytes) else { return 0 }
    guard let rendered = try? images.render(bytes) else { return 0 }
    precondition(rendered.info.width == header.width && rendered.info.height == header.height,
                 "render and inspect disagree on the size")
    let renditions = images.configuration.renditions
    for (rendition, spec) in [(rendered.display, renditions.display), (rendered.thumb, renditions.thumb)] {
        precondition(rendition.width >= 1 && rendition.height >= 1, "an empty rendition")
        precondition(rendition.width <= spec.maxWidth && rendition.height <= spec.maxHeight,
                     "a rendition outside its box")
        let back = try? images.inspect(rendition.bytes)
        precondition(back?.width == rendition.width && back?.height == rendition.height,
                     "a rendition our own reader does not take back")
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzImage_main")
public func fuzzImageMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
