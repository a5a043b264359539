import CFFmpeg

/// Bytes in memory served to libavformat through a custom AVIOContext.
final class MemoryInput {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32 = { opaque, buffer, size in
        guard let opaque, let buffer, size > 0 else { return status_averror_eof() }
        let input = Unmanaged<MemoryInput>.fromOpaque(opaque).takeUnretainedValue()
        let n = min(Int(size), input.bytes.count - input.position)
        guard n > 0 else { return status_averror_eof() }
        buffer.update(from: input.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + input.position, count: n)
        input.position += n
        return Int32(n)
    }

    static let seek: @convention(c) (UnsafeMutableRawPointer?, Int64, Int32) -> Int64 = { opaque, offset, whence in
        guard let opaque else { return -1 }
        let input = Unmanaged<MemoryInput>.fromOpaque(opaque).takeUnretainedValue()
        let size = Int64(input.bytes.count)
        if whence & Int32(status_avseek_size()) != 0 { return size }
        let target: Int64
        switch whence & 0xFF {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = Int64(input.position) + offset
        case SEEK_END: target = size + offset
        default: return -1
        }
        guard target >= 0, target <= size else { return -1 }
        input.position = Int(target)
        return target
    }
}

/// The one owner of an opened demuxer: the AVFormatContext and its AVIOContext (over memory,
/// with its buffer, or over a local file), all freed in `deinit` on every path.
final class Demuxer {
    private(set) var context: UnsafeMutablePointer<AVFormatContext>?
    private var io: UnsafeMutablePointer<AVIOContext>?
    private let input: MemoryInput?

    var format: UnsafeMutablePointer<AVFormatContext> { context! }

    /// Opens bytes in memory. `accept` sees the probed demuxer's name and may refuse it before
    /// libavformat parses anything beyond the probe buffer.
    init(bytes: UnsafeRawBufferPointer, probeSize: Int, analyzeMicroseconds: Int,
         accept: (String) throws -> Void) throws {
        let memory = MemoryInput(bytes)
        input = memory
        let bufferSize = 32 * 1024
        guard let buffer = av_malloc(bufferSize) else { throw MediaError(.corrupt, "out of memory") }
        io = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), Int32(bufferSize), 0,
                                Unmanaged.passUnretained(memory).toOpaque(), MemoryInput.read, nil, MemoryInput.seek)
        guard io != nil else {
            av_free(buffer)
            throw MediaError(.corrupt, "out of memory")
        }
        try open(probeSize: probeSize, analyzeMicroseconds: analyzeMicroseconds, accept: accept)
    }

    /// Opens a local file, read as it is needed rather than loaded whole. Only FFmpeg's `file`
    /// protocol is allowed, and the path is always taken as a path (never a URL).
    init(path: String, probeSize: Int, analyzeMicroseconds: Int, accept: (String) throws -> Void) throws {
        input = nil
        var options: OpaquePointer?
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        defer { av_dict_free(&options) }
        let rc = avio_open2(&io, "file:" + path, 1 /* AVIO_FLAG_READ */, nil, &options)
        guard rc >= 0, io != nil else { throw FFmpegLog.error(.unreadable, "cannot open \(path)", status: rc) }
        try open(probeSize: probeSize, analyzeMicroseconds: analyzeMicroseconds, accept: accept)
    }

    private func open(probeSize: Int, analyzeMicroseconds: Int, accept: (String) throws -> Void) throws {
        var probed: UnsafePointer<AVInputFormat>?
        let probe = av_probe_input_buffer2(io, &probed, "", nil, 0, UInt32(min(probeSize, Int(UInt32.max))))
        guard probe >= 0, let probed else {
            throw MediaError(.unsupportedFormat, "not an image (JPEG, PNG) nor a video (MP4/MOV, WebM, Matroska, animated GIF)")
        }
        try accept(String(cString: probed.pointee.name))

        context = avformat_alloc_context()
        guard let context else { throw MediaError(.corrupt, "out of memory") }
        context.pointee.pb = io
        context.pointee.flags |= Int32(status_avfmt_flag_custom_io())
        context.pointee.probesize = Int64(probeSize)
        context.pointee.max_analyze_duration = Int64(analyzeMicroseconds)
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        let opened = avformat_open_input(&ctx, nil, probed, nil)
        self.context = ctx // NULL when opening failed (it frees the context itself)
        guard opened >= 0 else { throw FFmpegLog.error(.corrupt, "the container cannot be opened", status: opened) }
        let found = avformat_find_stream_info(ctx, nil)
        guard found >= 0 else { throw FFmpegLog.error(.corrupt, "the streams cannot be read", status: found) }
    }

    deinit {
        if context != nil { avformat_close_input(&context) }
        guard io != nil else { return }
        if input != nil {
            av_freep(&io!.pointee.buffer)
            avio_context_free(&io)
        } else {
            avio_closep(&io)
        }
    }
}

/// The one owner of an opened decoder context.
final class VideoDecoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    init(stream: UnsafeMutablePointer<AVStream>, maxPixels: Int64) throws {
        let parameters = stream.pointee.codecpar!
        let codec: UnsafePointer<AVCodec>?
        if parameters.pointee.codec_id == AV_CODEC_ID_AV1 {
            codec = avcodec_find_decoder_by_name("libdav1d") ?? avcodec_find_decoder(AV_CODEC_ID_AV1)
        } else {
            codec = avcodec_find_decoder(parameters.pointee.codec_id)
        }
        guard let codec else { throw MediaError(.unsupportedCodec, "no decoder for this codec") }
        guard let context = avcodec_alloc_context3(codec) else { throw MediaError(.corrupt, "out of memory") }
        self.context = context
        var rc = avcodec_parameters_to_context(context, parameters)
        guard rc >= 0 else { throw FFmpegLog.error(.corrupt, "bad codec parameters", status: rc) }
        context.pointee.max_pixels = maxPixels
        context.pointee.thread_count = 1
        context.pointee.pkt_timebase = stream.pointee.time_base
        rc = avcodec_open2(context, codec, nil)
        guard rc >= 0 else { throw FFmpegLog.error(.corrupt, "the decoder cannot be opened", status: rc) }
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }
}

/// The one owner of an AVPacket.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>
    init() throws {
        guard let p = av_packet_alloc() else { throw MediaError(.corrupt, "out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }
}

/// The one owner of an AVFrame.
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>
    init() throws {
        guard let p = av_frame_alloc() else { throw MediaError(.corrupt, "out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }
}
