// libFuzzer target `image`: sniff, header, decode and render of a still image (JPEG or PNG),
// the path every uploaded photo takes. Anything may be refused with a `MediaError`; nothing may
// crash, and what is accepted must give renditions inside their boxes that our own reader takes
// back.
import CFuzzDriver
import FuzzMediaSupport
import StatusCore
import StatusMedia

/// Small renditions and images of at most 1 MP (see `FuzzMedia.configuration`).
let images = ImageProcessor(configuration: FuzzMedia.configuration(display: (96, 160), maxPixels: 1_000_000))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let header = try? images.inspect(bytes) else { return 0 }
    guard let rendered = try? images.render(bytes) else { return 0 }
    precondition(rendered.info.width == header.width && rendered.info.height == header.height,
                 "render and inspect disagree on the size")
    FuzzMedia.checkRenditions(rendered, images.configuration.renditions) { bytes in
        (try? images.inspect(bytes)).map { ($0.width, $0.height) }
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzImage_main")
public func fuzzImageMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
