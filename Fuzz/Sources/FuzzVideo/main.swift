// libFuzzer target `video`: probe and poster of a video (MP4/MOV, WebM, Matroska, animated GIF)
// through libavformat and libavcodec reading from memory, as an uploaded video is. Anything may
// be refused with a `MediaError`; nothing may crash, and what is accepted must have a sane
// duration and frame rate and renditions inside their boxes.
import CFuzzDriver
import FuzzMediaSupport
import StatusCore
import StatusMedia

/// Small renditions (see `FuzzMedia.configuration`).
let videos = VideoProcessor(configuration: FuzzMedia.configuration(display: (96, 160)))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVideo(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let rendered = try? videos.render(bytes) else { return 0 }
    let limits = videos.configuration.video
    guard let details = rendered.info.video else { preconditionFailure("an accepted video without video details") }
    precondition(details.durationSeconds.isFinite && details.durationSeconds >= 0
                 && details.durationSeconds <= limits.maxDurationSeconds, "a duration outside the limits")
    precondition(details.framesPerSecond.isFinite && details.framesPerSecond <= limits.maxFramesPerSecond,
                 "a frame rate outside the limits")
    FuzzMedia.checkRenditions(rendered, videos.configuration.renditions)
    return 0
}

/// The entry point SwiftPM links this executable with: libFuzzer's driver.
@_cdecl("FuzzVideo_main")
public func fuzzVideoMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    status_fuzz_main(argc, argv)
}
