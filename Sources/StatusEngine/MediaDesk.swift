import Foundation
import StatusCore
import StatusMedia

/// One rendition written to disk.
public struct RenditionFile: Sendable, Equatable {
    /// Where it was written.
    public var path: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Size of the JPEG file.
    public var bytes: Int

    /// `{"path", "width", "height", "bytes"}`.
    public var json: JSONValue {
        .object([("path", .string(path)), ("width", .int(width)), ("height", .int(height)), ("bytes", .int(bytes))])
    }
}

/// The outcome for one input file: what it is, or why it was refused.
public struct MediaFileReport: Sendable, Equatable {
    /// The path as given.
    public var file: String
    /// Set when the file was accepted.
    public var info: MediaInfo?
    /// Set when the file was refused.
    public var error: MediaError?
    /// `display` and `thumb`, when rendering was asked for and succeeded.
    public var display: RenditionFile?
    public var thumb: RenditionFile?
    /// Text posts: how the text was laid out.
    public var text: TextDetails?

    /// Whether the file was accepted.
    public var ok: Bool { error == nil }

    /// The JSON Lines contract of `statusctl media check` / `media render`, keys in this order:
    /// `file`, `ok`, then `kind`, `format`, `width`, `height`, `orientation`, `bytes` and
    /// `renditions` on success, or `error` {`code`, `message`} on failure.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("file", .string(file)), ("ok", .bool(ok))]
        if let info {
            members += [
                ("kind", .string(info.kind.rawValue)), ("format", .string(info.format.rawValue)),
                ("width", .int(info.width)), ("height", .int(info.height)),
            ]
            if let text = self.text {
                members += [
                    ("graphemes", .int(text.graphemeCount)), ("background", .string(text.background.hex)),
                    ("text_colour", .string(text.textColour.hex)), ("contrast", .double(text.contrast)),
                    ("font_family", .string(text.fontFamily)), ("font_size", .double(text.displayFontSize)),
                    ("unknown_glyphs", .int(text.unknownGlyphs)),
                ]
            } else if let video = info.video {
                members += [
                    ("video_codec", .string(video.videoCodec)),
                    ("audio_codec", video.audioCodec.map { .string($0) } ?? .null),
                    ("duration_s", .double(video.durationSeconds)), ("fps", .double(video.framesPerSecond)),
                    ("rotation", .int(video.rotation)),
                ]
                if let poster = video.posterSeconds { members.append(("poster_s", .double(poster))) }
            } else {
                members.append(("orientation", .int(info.orientation.rawValue)))
            }
            members.append(("bytes", .int(info.byteCount)))
        }
        if let display, let thumb {
            members.append(("renditions", .object([("display", display.json), ("thumb", thumb.json)])))
        }
        if let error {
            members.append(("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.message))])))
        }
        return .object(members)
    }
}

/// The media use cases the command line (and later the server) offer over files:
/// check and render, with decoding on a ``MediaWorkPool`` and renditions written atomically.
public struct MediaDesk: Sendable {
    /// The processor with the configured limits.
    public let processor: MediaProcessor
    /// Where decoding and encoding run.
    public let pool: MediaWorkPool

    /// A desk using `configuration`'s media limits.
    public init(configuration: EngineConfiguration, pool: MediaWorkPool = MediaWorkPool()) {
        self.processor = MediaProcessor(configuration: configuration.media)
        self.pool = pool
    }

    /// Whether FFmpeg's own messages are printed to standard error; they are always captured and
    /// folded into the error messages of refused files either way.
    public static func logMediaLibraries(verbose: Bool) {
        FFmpegLog.install(verbose: verbose)
    }

    /// Validates one image or video file completely (header limits, then decoding).
    public func check(path: String) async -> MediaFileReport {
        let processor = self.processor
        do {
            let info = try await pool.run {
                try processor.check(file: path)
            }
            return MediaFileReport(file: path, info: info)
        } catch {
            return MediaFileReport(file: path, error: Self.mediaError(error))
        }
    }

    /// Validates one file and writes `DIR/NAME.display.jpg` and `DIR/NAME.thumb.jpg`,
    /// NAME being the file's name. Files are written to a temporary name and renamed, so a
    /// rendition on disk is always complete.
    public func render(path: String, into directory: String) async -> MediaFileReport {
        let processor = self.processor
        do {
            let name = (path as NSString).lastPathComponent
            let result = try await pool.run { () throws -> (MediaInfo, RenditionFile, RenditionFile) in
                let rendered = try processor.render(file: path)
                let display = try Self.write(rendered.display, to: directory, name: "\(name).display.jpg")
                let thumb = try Self.write(rendered.thumb, to: directory, name: "\(name).thumb.jpg")
                return (rendered.info, display, thumb)
            }
            return MediaFileReport(file: path, info: result.0, display: result.1, thumb: result.2)
        } catch {
            return MediaFileReport(file: path, error: Self.mediaError(error))
        }
    }

    /// Validates and renders a text post into `DIR/NAME.display.png` and `DIR/NAME.thumb.png`.
    public func renderText(_ text: String, background: String?, font: Int?, into directory: String,
                           name: String = "text") async -> MediaFileReport {
        let renderer = TextRenderer(configuration: processor.configuration)
        do {
            let result = try await pool.run { () throws -> (MediaInfo, TextDetails, RenditionFile, RenditionFile) in
                let (rendered, details) = try renderer.render(text: text, background: background, font: font)
                let display = try Self.write(rendered.display, to: directory, name: "\(name).display.\(rendered.display.fileExtension)")
                let thumb = try Self.write(rendered.thumb, to: directory, name: "\(name).thumb.\(rendered.thumb.fileExtension)")
                return (rendered.info, details, display, thumb)
            }
            return MediaFileReport(file: name, info: result.0, display: result.2, thumb: result.3, text: result.1)
        } catch {
            return MediaFileReport(file: name, error: Self.mediaError(error))
        }
    }

    /// Runs `operation` over `paths` with at most `concurrency` in flight and hands the reports
    /// to `report` in input order, each as soon as it and all before it are done.
    public static func forEachInOrder(
        _ paths: [String], concurrency: Int,
        operation: @escaping @Sendable (String) async -> MediaFileReport,
        report: (MediaFileReport) -> Void
    ) async {
        await withTaskGroup(of: (Int, MediaFileReport).self) { group in
            var next = 0, emitted = 0
            var done: [Int: MediaFileReport] = [:]
            func start() {
                guard next < paths.count else { return }
                let index = next, path = paths[index]
                next += 1
                group.addTask { (index, await operation(path)) }
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let (index, result) = await group.next() {
                done[index] = result
                while let ready = done.removeValue(forKey: emitted) {
                    report(ready)
                    emitted += 1
                }
                start()
            }
        }
    }

    private static func write(_ rendition: Rendition, to directory: String, name: String) throws -> RenditionFile {
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            try Data(rendition.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw MediaError(.writeFailed, "cannot write \(path): \(error.localizedDescription)")
        }
        return RenditionFile(path: path, width: rendition.width, height: rendition.height, bytes: rendition.bytes.count)
    }

    private static func mediaError(_ error: any Error) -> MediaError {
        (error as? MediaError) ?? MediaError(.corrupt, "\(error)")
    }
}

