// libFuzzer target `video`: probe and poster of a video (MP4/MOV, WebM, Matroska, animated GIF)
// through libavformat and libavcodec reading from memory, as an uploaded video is. Anything may
// be refused with a `MediaError`; nothing may crash, and what is accepted must have a sane
// duration and frame rate and renditions inside their boxes.
import CFuzzDriver
import StatusCore
import StatusMedia

/// The product's limits and code paths with small renditions:
/// decoding, orientation, colour, resampling and encoding are the same, and each input costs far
/// less, so the fuzzer tries many more.
let configuration: MediaConfiguration = {
    var configuration = MediaConfiguration.default
    configuration.renditions = RenditionSettings(display: RenditionSpec(maxWidth: 96, maxHeight: 160, quality: 85),
                                                 thumb: RenditionSpec(maxWidth: 32, maxHeight: 32, quality: 80))
    return configuration
}()
let videos = VideoProcessor(configuration: configuration)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVideo(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let rendered = try? videos.render(bytes) else { return 0 }
    let limits = videos.configuration.video
    if let details = rendered.info.video {
        precondition(details.durationSeconds.isFinite && details.durationSeconds >= 0
                     && details.durationSeconds <= limits.maxDurationSeconds, "a duration outside the limits")
        precondition(details.framesPerSecond.isFinite && details.framesPerSecond <= limits.maxFramesPerSecond,
                     "a frame rate outside the limits")
    } else {
        preconditionFailure("an accepted video without video details")
    }
    let renditions = videos.configuration.renditions
    for (rendition, spec) in [(rendered.display, renditions.display), (rendered.thumb, renditions.thumb)] {
        precondition(rendition.width >= 1 && rendition.height >= 1 && !rendition.bytes.isEmpty, "an empty rendition")
        precondition(rendition.width <= spec.maxWidth && rendition.height <= spec.maxHeight,
                     "a rendition outside its box")
    }
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzVideo_main")
public func fuzzVideoMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
