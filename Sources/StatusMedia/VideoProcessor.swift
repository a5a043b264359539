import CFFmpeg
import Foundation
import StatusCore

/// Probes, validates and renders video Status posts (MP4/MOV, WebM, Matroska; H.264, HEVC, VP9,
/// AV1; animated GIF) with libavformat, libavcodec and libswscale, in process.
///
/// Hostile files are bounded: probing reads at most `probeSize` bytes and analyses at most
/// `analyzeSeconds`; the decoder refuses frames over the pixel limit (`max_pixels`); decoding
/// for the poster stops after `decodeFrameBudget` frames or `decodeTimeBudget` seconds.
/// Duration is measured from the video samples actually present (the sample tables of MP4/MOV,
/// whose every sample must lie inside the file; every packet of WebM, Matroska and GIF), not
/// taken from the container's header.
///
/// The poster frame is the first keyframe at or after 1 s (the middle of clips of 1 s or less).
/// When that frame is flat — black or a single colour, judged by the spread of its luma — the
/// next keyframes up to 3 s are tried, then frames every 0.25 s up to 3 s; the first one that is
/// not flat wins, else the most detailed one seen.
public struct VideoProcessor: Sendable {
    /// Limits and rendition settings in force.
    public var configuration: MediaConfiguration
    /// Most bytes libavformat may read to identify the streams.
    public var probeSize = 5 << 20
    /// Most media time libavformat may analyse to identify the streams, in seconds.
    public var analyzeSeconds = 5.0
    /// Most frames decoded when looking for a poster.
    public var decodeFrameBudget = 360
    /// Most wall time spent decoding when looking for a poster, in seconds.
    public var decodeTimeBudget = 5.0

    /// A processor using the given limits.
    public init(configuration: MediaConfiguration = .default) {
        self.configuration = configuration
    }

    /// Probes and validates: container, streams, codecs, size, frame rate and measured duration.
    /// Decodes the first frame so that undecodable files are refused as `corrupt`.
    public func check(_ bytes: [UInt8]) throws -> MediaInfo {
        try bytes.withUnsafeBytes { raw in try withFFmpeg { try check(Probe(.memory(raw), processor: self)) } }
    }

    /// Validates and makes the `display` and `thumb` renditions from the poster frame.
    public func render(_ bytes: [UInt8]) throws -> RenderedMedia {
        try bytes.withUnsafeBytes { raw in try withFFmpeg { try render(Probe(.memory(raw), processor: self)) } }
    }

    /// `check` for a local file, read as needed rather than loaded whole (a 60 s clip's
    /// poster needs its header and one keyframe, not its 40 MB).
    public func check(file path: String) throws -> MediaInfo {
        try check(VideoSource.file(path, limit: configuration.video.maxBytes))
    }

    /// `render` for a local file, read as needed rather than loaded whole.
    public func render(file path: String) throws -> RenderedMedia {
        try render(VideoSource.file(path, limit: configuration.video.maxBytes))
    }

    func check(_ source: VideoSource) throws -> MediaInfo {
        try withFFmpeg { try check(Probe(source, processor: self)) }
    }

    func render(_ source: VideoSource) throws -> RenderedMedia {
        try withFFmpeg { try render(Probe(source, processor: self)) }
    }

    private func check(_ probe: Probe) throws -> MediaInfo {
        var budget = Budget(self)
        _ = try probe.decodeFrame(atOrAfter: probe.startTime, budget: &budget)
        return probe.info(byteCount: probe.byteCount, posterSeconds: nil)
    }

    private func render(_ probe: Probe) throws -> RenderedMedia {
        var budget = Budget(self)
        let (image, seconds) = try probe.poster(budget: &budget)
        let (display, thumb) = try Renditions.make(
            from: image, storedSize: (image.width, image.height), orientation: probe.orientation,
            settings: configuration.renditions)
        return RenderedMedia(info: probe.info(byteCount: probe.byteCount, posterSeconds: seconds),
                             display: display, thumb: thumb)
    }

    private func withFFmpeg<T>(_ body: () throws -> T) throws -> T {
        FFmpegLog.installIfNeeded()
        FFmpegLog.clear()
        defer { FFmpegLog.clear() }
        return try body()
    }
}

/// Where a video's bytes come from.
enum VideoSource {
    case memory(UnsafeRawBufferPointer)
    /// A regular file of `size` bytes whose first bytes are `head`.
    case file(path: String, size: Int, head: [UInt8])

    /// A local file, refused as `too_large` from its size before libavformat reads it.
    static func file(_ path: String, limit: Int) throws -> VideoSource {
        let (head, size) = try MediaFileReader.head(path: path, count: 64)
        guard size <= limit else {
            throw MediaError(.tooLarge, "file is \(size) bytes; the limit for videos is \(limit)")
        }
        return .file(path: path, size: size, head: head)
    }

    var size: Int {
        switch self {
        case .memory(let raw): return raw.count
        case .file(_, let size, _): return size
        }
    }

    var head: [UInt8] {
        switch self {
        case .memory(let raw): return Array(raw.prefix(64))
        case .file(_, _, let head): return head
        }
    }
}

/// Limits decoding work for one operation.
struct Budget {
    var frames: Int
    let deadline: Date

    init(_ processor: VideoProcessor) {
        frames = processor.decodeFrameBudget
        deadline = Date().addingTimeInterval(processor.decodeTimeBudget)
    }

    mutating func spend() throws {
        frames -= 1
        if frames < 0 || Date() > deadline {
            throw FFmpegLog.error(.corrupt, "decoding did not produce a usable frame within the decode budget")
        }
    }
}

/// One opened, validated video: streams chosen, samples accounted for, decoder ready.
final class Probe {
    let demuxer: Demuxer
    let decoder: VideoDecoder
    let stream: UnsafeMutablePointer<AVStream>
    let streamIndex: Int32
    let format: MediaFormat
    let videoCodec: String
    let audioCodec: String?
    let rotation: Int
    let storedWidth: Int
    let storedHeight: Int
    let framesPerSecond: Double
    /// First and end presentation timestamps of the video samples (stream time base).
    let startTime: Int64
    let endTime: Int64
    let keyframes: [Int64]
    let timeBase: AVRational

    var durationSeconds: Double { seconds(endTime - startTime) }
    var orientation: Orientation {
        switch rotation {
        case 90: return .right
        case 180: return .down
        case 270: return .left
        default: return .up
        }
    }

    func seconds(_ ticks: Int64) -> Double { Double(ticks) * av_q2d(timeBase) }
    func ticks(_ seconds: Double) -> Int64 { Int64((seconds / av_q2d(timeBase)).rounded()) }

    /// Size of the input in bytes.
    let byteCount: Int

    init(_ source: VideoSource, processor: VideoProcessor) throws {
        let limits = processor.configuration.video
        byteCount = source.size
        guard byteCount <= limits.maxBytes else {
            throw MediaError(.tooLarge, "file is \(byteCount) bytes; the limit for videos is \(limits.maxBytes)")
        }
        guard byteCount > 0 else { throw MediaError(.unsupportedFormat, "the file is empty") }
        var demuxerName = ""
        let accept: (String) throws -> Void = { name in
            demuxerName = name
            guard ["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "gif"].contains(name) else {
                throw MediaError(.unsupportedFormat, "\(name) is not an accepted container; videos must be MP4/MOV, WebM, Matroska or an animated GIF")
            }
        }
        let analyze = Int(processor.analyzeSeconds * 1_000_000)
        switch source {
        case .memory(let raw):
            demuxer = try Demuxer(bytes: raw, probeSize: processor.probeSize, analyzeMicroseconds: analyze, accept: accept)
        case .file(let path, _, _):
            demuxer = try Demuxer(path: path, probeSize: processor.probeSize, analyzeMicroseconds: analyze, accept: accept)
        }
        let ctx = demuxer.format
        format = Self.containerFormat(demuxer: demuxerName, head: source.head)

        // The video stream: the best one that is not cover art.
        var videoIndex: Int32 = -1
        var audioIndex: Int32 = -1
        var audio: String?
        var unsupportedAudio: String?
        for i in 0..<Int(ctx.pointee.nb_streams) {
            let s = ctx.pointee.streams[i]!
            let par = s.pointee.codecpar!.pointee
            if par.codec_type == AVMEDIA_TYPE_VIDEO, s.pointee.disposition & Int32(status_av_disposition_attached_pic()) == 0,
               videoIndex < 0 {
                videoIndex = Int32(i)
            } else if par.codec_type == AVMEDIA_TYPE_AUDIO, audio == nil, unsupportedAudio == nil {
                let name = String(cString: avcodec_get_name(par.codec_id))
                if [AV_CODEC_ID_AAC, AV_CODEC_ID_OPUS, AV_CODEC_ID_MP3].contains(par.codec_id) {
                    audio = name
                    audioIndex = Int32(i)
                } else if par.codec_id == AV_CODEC_ID_NONE {
                    throw FFmpegLog.error(.corrupt, "the audio stream's codec cannot be identified")
                } else {
                    unsupportedAudio = name
                }
            }
        }
        guard videoIndex >= 0 else {
            throw MediaError(.noVideoStream, audio != nil || unsupportedAudio != nil
                             ? "the file has audio but no video" : "the file has no video stream")
        }
        streamIndex = videoIndex
        stream = ctx.pointee.streams[Int(videoIndex)]!
        let par = stream.pointee.codecpar!.pointee
        let accepted: [AVCodecID] = format == .gif ? [AV_CODEC_ID_GIF] : [AV_CODEC_ID_H264, AV_CODEC_ID_HEVC, AV_CODEC_ID_VP9, AV_CODEC_ID_AV1]
        videoCodec = String(cString: avcodec_get_name(par.codec_id))
        guard par.codec_id != AV_CODEC_ID_NONE else {
            throw FFmpegLog.error(.corrupt, "the video stream's codec cannot be identified")
        }
        guard accepted.contains(par.codec_id) else {
            throw MediaError(.unsupportedCodec, "video codec \(videoCodec) is not accepted; use H.264, HEVC, VP9 or AV1")
        }
        if let unsupportedAudio {
            throw MediaError(.unsupportedCodec, "audio codec \(unsupportedAudio) is not accepted; use AAC, Opus or MP3")
        }
        audioCodec = audio
        timeBase = stream.pointee.time_base

        // Size and rotation.
        storedWidth = Int(par.width)
        storedHeight = Int(par.height)
        guard storedWidth > 0, storedHeight > 0 else { throw FFmpegLog.error(.corrupt, "the video stream has no frame size") }
        let long = max(storedWidth, storedHeight), short = min(storedWidth, storedHeight)
        guard long <= limits.maxLongSide, short <= limits.maxShortSide else {
            throw MediaError(.tooManyPixels, "\(storedWidth)×\(storedHeight) is larger than \(limits.maxLongSide)×\(limits.maxShortSide)")
        }
        rotation = Self.rotation(of: stream)

        // Frame rate as declared; checked again below against the samples.
        let declared = stream.pointee.avg_frame_rate.den > 0 && stream.pointee.avg_frame_rate.num > 0
            ? av_q2d(stream.pointee.avg_frame_rate) : 0

        // The real duration, the keyframes, and truncation: from the sample tables for ISO BMFF
        // (every sample is indexed at open, and each must lie inside the file), otherwise by
        // reading every packet.
        let maxPackets = Int(limits.maxDurationSeconds * limits.maxFramesPerSecond) + 64
        var count = 0
        var first = Int64.max, last = Int64.min
        var keys: [Int64] = []
        if format == .mp4 || format == .mov,
           let indexed = try Self.indexScan(stream, fileSize: byteCount, audio: audioIndex >= 0 ? ctx.pointee.streams[Int(audioIndex)] : nil) {
            (count, first, last, keys) = indexed
            if count > maxPackets {
                throw MediaError(.tooLong, "more than \(maxPackets) video frames; the limit is \(Int(limits.maxDurationSeconds)) s at \(Int(limits.maxFramesPerSecond)) fps")
            }
        } else {
            var audioCount = 0
            let packet = try Packet()
            while true {
                let rc = av_read_frame(ctx, packet.pointer)
                if rc == status_averror_eof() { break }
                guard rc >= 0 else { throw FFmpegLog.error(.corrupt, "the file cannot be read to its end", status: rc) }
                defer { av_packet_unref(packet.pointer) }
                if packet.pointer.pointee.flags & 0x0002 /* AV_PKT_FLAG_CORRUPT */ != 0,
                   packet.pointer.pointee.stream_index == videoIndex || packet.pointer.pointee.stream_index == audioIndex {
                    throw FFmpegLog.error(.corrupt, "the file holds damaged packets")
                }
                if packet.pointer.pointee.stream_index == audioIndex { audioCount += 1 }
                guard packet.pointer.pointee.stream_index == videoIndex else { continue }
                count += 1
                if count > maxPackets {
                    throw MediaError(.tooLong, "more than \(maxPackets) video frames; the limit is \(Int(limits.maxDurationSeconds)) s at \(Int(limits.maxFramesPerSecond)) fps")
                }
                var pts = packet.pointer.pointee.pts
                if pts == status_av_nopts_value() { pts = packet.pointer.pointee.dts }
                guard pts != status_av_nopts_value() else { continue }
                let duration = max(packet.pointer.pointee.duration, 0)
                first = min(first, pts)
                last = max(last, pts + duration)
                if packet.pointer.pointee.flags & Int32(status_av_pkt_flag_key()) != 0 { keys.append(pts) }
            }
            let declaredFrames = Int(stream.pointee.nb_frames)
            if declaredFrames > 0, count < declaredFrames {
                throw FFmpegLog.error(.corrupt, "the file is truncated: \(count) of \(declaredFrames) video frames are present")
            }
            if audioIndex >= 0 {
                let declaredAudio = Int(ctx.pointee.streams[Int(audioIndex)]!.pointee.nb_frames)
                if declaredAudio > 0, audioCount < declaredAudio {
                    throw FFmpegLog.error(.corrupt, "the file is truncated: \(audioCount) of \(declaredAudio) audio packets are present")
                }
            }
        }
        guard count > 0, first < last || count == 1 else { throw FFmpegLog.error(.corrupt, "the video stream has no frames") }
        startTime = first == Int64.max ? 0 : first
        endTime = max(last, startTime)
        keyframes = keys.sorted()
        let measured = Double(endTime - startTime) * av_q2d(timeBase)
        // A container that promises much more video than its samples hold has been cut short.
        // (One that promises less is simply judged by its samples.)
        var claimed = 0.0
        if stream.pointee.duration > 0 && stream.pointee.duration != status_av_nopts_value() {
            claimed = Double(stream.pointee.duration) * av_q2d(timeBase)
        } else if audio == nil, ctx.pointee.duration > 0, ctx.pointee.duration != status_av_nopts_value() {
            claimed = Double(ctx.pointee.duration) / 1_000_000
        }
        if claimed > measured + max(1.0, measured * 0.25) {
            throw FFmpegLog.error(.corrupt, String(format: "the file is truncated: the container says %.1f s, its video samples hold %.1f s", claimed, measured))
        }
        guard measured <= limits.maxDurationSeconds + 0.001 else {
            throw MediaError(.tooLong, String(format: "the video lasts %.1f s; the limit is %g s", measured, limits.maxDurationSeconds))
        }
        let measuredRate = measured > 0 ? Double(count) / measured : 0
        framesPerSecond = declared > 0 && declared < 10_000 ? declared : measuredRate
        // Judged by what is there too: a header may declare 30 fps over 240 frames a second.
        let judgedRate = count >= 10 ? max(framesPerSecond, measuredRate) : framesPerSecond
        guard judgedRate <= limits.maxFramesPerSecond + 0.5 else {
            throw MediaError(.tooFast, String(format: "%.2f frames per second; the limit is %g", judgedRate, limits.maxFramesPerSecond))
        }
        if format == .gif, count < 2 {
            throw MediaError(.unsupportedFormat, "a GIF with one frame is a still image; image posts must be JPEG or PNG")
        }
        decoder = try VideoDecoder(stream: stream, maxPixels: Int64(limits.maxLongSide) * Int64(limits.maxShortSide))
    }

    func info(byteCount: Int, posterSeconds: Double?) -> MediaInfo {
        let swapped = rotation == 90 || rotation == 270
        return MediaInfo(
            kind: .video, format: format,
            width: swapped ? storedHeight : storedWidth, height: swapped ? storedWidth : storedHeight,
            byteCount: byteCount,
            video: VideoDetails(videoCodec: videoCodec, audioCodec: audioCodec,
                                durationSeconds: (durationSeconds * 1000).rounded() / 1000,
                                framesPerSecond: (framesPerSecond * 1000).rounded() / 1000,
                                rotation: rotation, posterSeconds: posterSeconds.map { ($0 * 1000).rounded() / 1000 }))
    }

    // MARK: - Poster

    /// Chooses and decodes the poster frame; returns it in stored orientation with its time.
    func poster(budget: inout Budget) throws -> (RGBImage, Double) {
        let duration = durationSeconds
        let target = duration > 1 ? 1.0 : duration / 2
        let limit = min(3.0, duration)
        let targetTicks = startTime + ticks(target)
        // First choice: the first keyframe at or after the target (one frame to decode), or the
        // frame at the target when no keyframe follows. Then, should that be flat, what the first
        // 3 s offer: their later keyframes, then a frame every 0.25 s.
        var candidates = [keyframes.first(where: { $0 >= targetTicks }) ?? targetTicks]
        candidates += keyframes.filter { $0 > targetTicks && $0 != candidates[0] && seconds($0 - startTime) <= limit }
        var t = target + 0.25
        while t <= limit { candidates.append(startTime + ticks(t)); t += 0.25 }

        // Only the chosen frame is converted at full size; candidates are judged on a 64-pixel copy.
        var best: (frame: Frame, pts: Int64, spread: Double)?
        var tried = Set<Int64>()
        for candidate in candidates where tried.insert(candidate).inserted {
            let frame: Frame, pts: Int64
            do {
                (frame, pts) = try decodeFrame(atOrAfter: candidate, budget: &budget)
            } catch let error as MediaError where best != nil && error.code == .corrupt {
                break // out of budget or data: keep the best frame found so far
            }
            let spread = Self.lumaSpread(frame.pointer)
            if best == nil || spread > best!.spread { best = (frame, pts, spread) }
            if spread >= 4 { break }
        }
        guard let best else { throw FFmpegLog.error(.corrupt, "no frame could be decoded") }
        return (try Self.rgb(best.frame.pointer), seconds(best.pts - startTime))
    }

    /// Seeks to the keyframe at or before `target` and decodes up to the first frame at or after it
    /// (the last frame of the stream if none is).
    func decodeFrame(atOrAfter target: Int64, budget: inout Budget) throws -> (Frame, Int64) {
        let ctx = demuxer.format
        let dec = decoder.context
        var rc = av_seek_frame(ctx, streamIndex, target, 1 /* AVSEEK_FLAG_BACKWARD */)
        if rc < 0 { rc = av_seek_frame(ctx, streamIndex, startTime, 1) }
        guard rc >= 0 else { throw FFmpegLog.error(.corrupt, "cannot seek in the video", status: rc) }
        avcodec_flush_buffers(dec)
        let packet = try Packet()
        let frame = try Frame()
        var last: (Frame, Int64)?
        var draining = false
        while true {
            if !draining {
                let r = av_read_frame(ctx, packet.pointer)
                if r == status_averror_eof() {
                    draining = true
                    _ = avcodec_send_packet(dec, nil)
                } else if r < 0 {
                    throw FFmpegLog.error(.corrupt, "the file cannot be read", status: r)
                } else {
                    defer { av_packet_unref(packet.pointer) }
                    if packet.pointer.pointee.stream_index != streamIndex { continue }
                    let s = avcodec_send_packet(dec, packet.pointer)
                    if s < 0 && s != status_averror_eagain() {
                        throw FFmpegLog.error(.corrupt, "the video cannot be decoded", status: s)
                    }
                }
            }
            while true {
                let r = avcodec_receive_frame(dec, frame.pointer)
                if r == status_averror_eagain() { break }
                if r == status_averror_eof() {
                    if let last { return last }
                    throw FFmpegLog.error(.corrupt, "the video has no decodable frame")
                }
                guard r >= 0 else { throw FFmpegLog.error(.corrupt, "the video cannot be decoded", status: r) }
                try budget.spend()
                var pts = frame.pointer.pointee.best_effort_timestamp
                if pts == status_av_nopts_value() { pts = frame.pointer.pointee.pts }
                if pts == status_av_nopts_value() { pts = target }
                if pts >= target {
                    let out = try Frame()
                    av_frame_move_ref(out.pointer, frame.pointer)
                    return (out, pts)
                }
                let keep = try Frame()
                av_frame_move_ref(keep.pointer, frame.pointer)
                last = (keep, pts)
            }
            if draining && last != nil { return last! }
        }
    }

    /// Standard deviation of the luma of a sample of pixels, 0–255 scale.
    static func lumaSpread(_ frame: UnsafeMutablePointer<AVFrame>) -> Double {
        guard let small = try? rgb(frame, maxSide: 64) else { return 0 }
        var sum = 0.0, sumSquares = 0.0
        let n = small.width * small.height
        for i in 0..<n {
            let y = 0.299 * Double(small.pixels[i * 3]) + 0.587 * Double(small.pixels[i * 3 + 1]) + 0.114 * Double(small.pixels[i * 3 + 2])
            sum += y
            sumSquares += y * y
        }
        let mean = sum / Double(n)
        return (max(0, sumSquares / Double(n) - mean * mean)).squareRoot()
    }

    /// The frame as 8-bit sRGB (alpha composed onto white), full size unless `maxSide` is given
    /// (then a quick area-averaged reduction, used only to judge the frame).
    static func rgb(_ frame: UnsafeMutablePointer<AVFrame>, maxSide: Int? = nil) throws -> RGBImage {
        let w = Int(frame.pointee.width), h = Int(frame.pointee.height)
        guard w > 0, h > 0 else { throw MediaError(.corrupt, "a decoded frame has no size") }
        var outW = w, outH = h
        if let maxSide, max(w, h) > maxSide {
            let scale = Double(maxSide) / Double(max(w, h))
            outW = max(1, Int(Double(w) * scale)); outH = max(1, Int(Double(h) * scale))
        }
        let source = AVPixelFormat(rawValue: frame.pointee.format)
        let alpha = status_pix_fmt_has_alpha(source) != 0
        let target = alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24
        // Same-size colour conversion takes swscale's SIMD path; the Lanczos resampler that
        // follows averages away the difference from interpolating chroma more carefully.
        let flags = maxSide == nil ? SWS_BILINEAR : SWS_AREA
        guard let sws = sws_getContext(Int32(w), Int32(h), source, Int32(outW), Int32(outH), target, Int32(flags), nil, nil, nil) else {
            let name = av_get_pix_fmt_name(source).map { String(cString: $0) } ?? "unknown"
            throw MediaError(.corrupt, "cannot convert pixel format \(name)")
        }
        defer { sws_freeContext(sws) }
        // YUV matrix and range as tagged; untagged HD is BT.709, SD BT.601.
        var spc = Int32(frame.pointee.colorspace.rawValue)
        if frame.pointee.colorspace == AVCOL_SPC_UNSPECIFIED || frame.pointee.colorspace == AVCOL_SPC_RESERVED {
            spc = h >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601
        }
        let fullRange: Int32 = frame.pointee.color_range == AVCOL_RANGE_JPEG ? 1 : 0
        _ = sws_setColorspaceDetails(sws, sws_getCoefficients(spc), fullRange, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)

        let channels = alpha ? 4 : 3
        var buffer = [UInt8](repeating: 0, count: outW * outH * channels)
        let scaled = buffer.withUnsafeMutableBufferPointer { dst -> Int32 in
            var dstPlanes: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
            var dstStrides: [Int32] = [Int32(outW * channels), 0, 0, 0]
            return withUnsafePointer(to: &frame.pointee.data) { data in
                data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                    withUnsafePointer(to: &frame.pointee.linesize) { lines in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                            sws_scale(sws, planes, strides, 0, Int32(h), &dstPlanes, &dstStrides)
                        }
                    }
                }
            }
        }
        guard scaled == Int32(outH) else { throw MediaError(.corrupt, "pixel conversion failed") }
        if !alpha { return RGBImage(width: outW, height: outH, pixels: buffer) }
        var image = RGBImage(width: outW, height: outH)
        for p in 0..<(outW * outH) {
            let a = Int(buffer[p * 4 + 3])
            for c in 0..<3 {
                image.pixels[p * 3 + c] = UInt8((Int(buffer[p * 4 + c]) * a + 255 * (255 - a) + 127) / 255)
            }
        }
        return image
    }

    // MARK: - Container facts

    /// Video samples from the demuxer's index (ISO BMFF fills it from the sample tables at open):
    /// count, first and end timestamps, keyframes. `nil` when the index is not complete.
    /// A sample of either stream that lies past the end of the data means the file was cut.
    static func indexScan(_ stream: UnsafeMutablePointer<AVStream>, fileSize: Int,
                          audio: UnsafeMutablePointer<AVStream>?) throws -> (Int, Int64, Int64, [Int64])? {
        let n = Int(avformat_index_get_entries_count(stream))
        guard n > 0, stream.pointee.nb_frames <= 0 || n >= Int(stream.pointee.nb_frames) else { return nil }
        var count = 0
        var first = Int64.max, last = Int64.min
        var keys: [Int64] = []
        for i in 0..<n {
            guard let entry = avformat_index_get_entry(stream, Int32(i)) else { return nil }
            if entry.pointee.pos + Int64(entry.pointee.size) > Int64(fileSize) {
                throw FFmpegLog.error(.corrupt, "the file is truncated: video sample \(i + 1) of \(n) lies past the end of the data")
            }
            if entry.pointee.flags & 0x0002 != 0 { continue } // AVINDEX_DISCARD_FRAME (edit list)
            count += 1
            first = min(first, entry.pointee.timestamp)
            last = max(last, entry.pointee.timestamp)
            if entry.pointee.flags & 0x0001 != 0 { keys.append(entry.pointee.timestamp) } // AVINDEX_KEYFRAME
        }
        guard count > 0 else { return nil }
        // Index timestamps are decoding times; seeking and frames speak presentation times, which
        // start at the stream's start time (B-frame reordering delays them).
        let start = stream.pointee.start_time
        if start != status_av_nopts_value() {
            let shift = start - first
            first += shift
            last += shift
            keys = keys.map { $0 + shift }
        }
        // The last sample lasts as long as the average one.
        let frame = count > 1 ? (last - first) / Int64(count - 1) : max(1, Int64(1 / av_q2d(stream.pointee.time_base) / 30))
        if let audio {
            let m = Int(avformat_index_get_entries_count(audio))
            for i in 0..<m {
                guard let entry = avformat_index_get_entry(audio, Int32(i)) else { break }
                if entry.pointee.pos + Int64(entry.pointee.size) > Int64(fileSize) {
                    throw FFmpegLog.error(.corrupt, "the file is truncated: audio sample \(i + 1) of \(m) lies past the end of the data")
                }
            }
        }
        return (count, first, last + frame, keys)
    }

    static func rotation(of stream: UnsafeMutablePointer<AVStream>) -> Int {
        var size: Int = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 else { return 0 }
        let degrees = data.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        guard degrees.isFinite else { return 0 }
        // FFmpeg gives counter-clockwise degrees; posts report the clockwise turn to show upright.
        var clockwise = Int((-degrees).rounded())
        clockwise = ((clockwise % 360) + 360) % 360
        return [0, 90, 180, 270].min { abs($0 - clockwise) < abs($1 - clockwise) } ?? 0
    }

    static func containerFormat(demuxer: String, head bytes: [UInt8]) -> MediaFormat {
        switch demuxer {
        case "gif": return .gif
        case "matroska,webm":
            // The EBML header's DocType says which; it sits in the first few dozen bytes.
            let head = bytes.prefix(64)
            return head.firstRange(of: Array("webm".utf8)) != nil ? .webm : .matroska
        default:
            // ISO BMFF: QuickTime files have the major brand "qt  " (old ones no ftyp at all).
            guard bytes.count >= 12, Array(bytes[4..<8]) == Array("ftyp".utf8) else { return .mov }
            return Array(bytes[8..<12]) == Array("qt  ".utf8) ? .mov : .mp4
        }
    }
}
