import ArgumentParser
import Foundation
import StatusEngine

struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Validate and render Status media files (images and videos).",
        subcommands: [Check.self, Render.self, RenderText.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate image and video files completely.",
            discussion: """
                Images (JPEG, PNG): header limits, then a full decode. Videos (MP4/MOV, WebM, \
                Matroska with H.264, HEVC, VP9 or AV1; animated GIF): probe, every packet scanned \
                for the real duration, first frame decoded.

                Prints one JSON object per line per file, in the order given: \
                images {"file", "ok": true, "kind": "image", "format", "width", "height", \
                "orientation", "bytes"}; videos {"file", "ok": true, "kind": "video", "format", \
                "width", "height", "video_codec", "audio_codec", "duration_s", "fps", "rotation", \
                "bytes"}; refusals {"file", "ok": false, "error": {"code", "message"}}. \
                width and height are as shown (after EXIF orientation or video rotation). \
                Error codes: unsupported_format, too_large, too_many_pixels, too_small, corrupt, \
                no_video_stream, unsupported_codec, too_long, too_fast, unreadable.

                Exit status: 0 when every file passes, 1 when any was refused.
                """
        )

        @Argument(help: ArgumentHelp("Files to check.", valueName: "FILE"))
        var files: [String]

        @OptionGroup var output: OutputOptions

        @OptionGroup var config: ConfigOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one FILE") }
        }

        func run() async throws {
            let desk = MediaDesk(configuration: try config.load())
            try await output.run(files, rendering: false, desk: desk) { await desk.check(path: $0) }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate image and video files and write their display and thumb renditions.",
            discussion: """
                For a video the renditions come from its poster frame: the first keyframe at or \
                after 1 s (the middle of shorter clips), or a later frame up to 3 s when that one is \
                black or a single colour; "poster_s" says which. For each FILE writes DIR/NAME.display.jpg (fits inside 1080×1920 by default, never \
                upscaled) and DIR/NAME.thumb.jpg (fits inside 320×320), NAME being the file's name, \
                EXIF orientation applied and no metadata kept. Prints the same JSON line as \
                `media check`, with "renditions": {"display": {"path", "width", "height", "bytes"}, \
                "thumb": {…}} added on success. Files are processed in parallel, output stays in order.

                Exit status: 0 when every file was rendered, 1 when any was refused or could not be \
                written, 73 when DIR cannot be created.
                """
        )

        @Argument(help: ArgumentHelp("Image or video files to render.", valueName: "FILE"))
        var files: [String]

        @Option(name: .customLong("out"), help: ArgumentHelp("Directory for the renditions (created if missing).", valueName: "DIR"))
        var outDirectory: String

        @OptionGroup var output: OutputOptions

        @OptionGroup var config: ConfigOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one FILE") }
            var seen: [String: String] = [:]
            for file in files {
                let name = (file as NSString).lastPathComponent
                if let other = seen[name] {
                    throw ValidationError("\(other) and \(file) share the name \(name); their renditions would overwrite each other")
                }
                seen[name] = file
            }
        }

        func run() async throws {
            let desk = MediaDesk(configuration: try config.load())
            try createDirectory(outDirectory)
            let dir = outDirectory
            try await output.run(files, rendering: true, desk: desk) { await desk.render(path: $0, into: dir) }
        }
    }
}

extension MediaCommand {
    struct RenderText: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render-text",
            abstract: "Render a text post into its display and thumb pictures.",
            discussion: """
                Writes DIR/NAME.display.png (1080×1920) and DIR/NAME.thumb.png (320×320): the text \
                set as large as fits, centred, wrapped by words, right-to-left scripts laid out \
                right-to-left, colour emoji, on the background colour, in white or black, whichever \
                contrasts more (WCAG ratio ≥ 4.5). Prints the same JSON line as `media render`, \
                with "kind": "text", "graphemes", "background", "text_colour", "contrast", \
                "font_family", "font_size" and "unknown_glyphs" (glyphs no font could draw). \
                Error codes: text_empty, text_too_long, bad_colour, bad_font.

                Exit status: 0 when rendered, 1 when the text was refused, 73 when DIR cannot be created.
                """
        )

        @Option(help: "The post's text (1–700 characters as people count them).")
        var text: String

        @Option(help: ArgumentHelp("Background colour, #RRGGBB (default #128C7E).", valueName: "COLOUR"))
        var background: String?

        @Option(help: ArgumentHelp("Font id: an index into media.text.fonts in the configuration (default 0).", valueName: "N"))
        var font: Int?

        @Option(name: .customLong("out"), help: ArgumentHelp("Directory for the pictures (created if missing).", valueName: "DIR"))
        var outDirectory: String

        @Option(help: "File name stem for the pictures.")
        var name: String = "text"

        @Option(help: "Output format: json (the default and the contract) or table.")
        var format: OutputFormat = .json

        @OptionGroup var config: ConfigOptions

        func validate() throws {
            if name.isEmpty || name.contains("/") { throw ValidationError("--name must be a plain file name") }
        }

        func run() async throws {
            let desk = MediaDesk(configuration: try config.load())
            try createDirectory(outDirectory)
            let report = await desk.renderText(text, background: background, font: font, into: outDirectory, name: name)
            ReportPrinter(format: format, rendering: true).print(report)
            if !report.ok { throw ExitCode(1) }
        }
    }
}

/// Output options shared by the media commands.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: json (JSON Lines, the default and the contract) or table.")
    var format: OutputFormat = .json

    @Flag(help: "Print FFmpeg's own messages to standard error (they are always folded into error messages).")
    var verbose = false

    /// Runs `operation` over `files` (a few at a time), prints each report in input order, and
    /// exits 1 when any file was refused.
    func run(_ files: [String], rendering: Bool, desk: MediaDesk,
             operation: @escaping @Sendable (String) async -> MediaFileReport) async throws {
        MediaDesk.logMediaLibraries(verbose: verbose)
        let printer = ReportPrinter(format: format, rendering: rendering)
        var refused = 0
        await MediaDesk.forEachInOrder(files, concurrency: desk.pool.threadCount * 2, operation: operation) { report in
            if !report.ok { refused += 1 }
            printer.print(report)
        }
        if refused > 0 { throw ExitCode(1) }
    }
}

/// Creates an output directory (and its parents), or exits 73.
func createDirectory(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        FileHandle.standardError.write(Data("statusctl: cannot create \(path): \(error.localizedDescription)\n".utf8))
        throw ExitCode(73)
    }
}

/// Writes one line to standard output at once (no buffering, so lines stream as files finish).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes reports as JSON Lines (the contract) or as a table for people.
struct ReportPrinter {
    let format: OutputFormat
    let rendering: Bool

    init(format: OutputFormat, rendering: Bool) {
        self.format = format
        self.rendering = rendering
        if format == .table {
            let columns = rendering ? ["FILE", "RESULT", "FORMAT", "SIZE", "DISPLAY", "THUMB"]
                                    : ["FILE", "RESULT", "FORMAT", "SIZE", "ORIENTATION"]
            emit(columns.joined(separator: "\t"))
        }
    }

    func print(_ report: MediaFileReport) {
        switch format {
        case .json:
            emit(report.json.serialized)
        case .table:
            var row = [report.file]
            if let info = report.info {
                row += ["ok", info.format.rawValue, "\(info.width)x\(info.height)"]
                if rendering, let d = report.display, let t = report.thumb {
                    row += ["\(d.width)x\(d.height) \(d.bytes)B", "\(t.width)x\(t.height) \(t.bytes)B"]
                } else {
                    row.append("\(info.orientation.rawValue)")
                }
            } else if let error = report.error {
                row += [error.code.rawValue, error.message]
            }
            emit(row.joined(separator: "\t"))
        }
    }
}
