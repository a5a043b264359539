import ArgumentParser
import Foundation
import StatusEngine

/// A publish-and-purge loop for crash testing: the crash test kills it with SIGKILL at random
/// moments and checks that every acknowledged post survived with its files. Not shown in help.
struct StressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Publish and purge in a loop (crash testing).",
        discussion: """
            Each round publishes a text post (mostly new text, every third round the same) and a photo post at --at (live, kept), a photo post \
            created two days earlier (already expired), then purges at --at. After each publish \
            returns, a line {"id", "keep"} is appended to --ack and synced: the acknowledgement.
            """,
        shouldDisplay: false)

    @Option(help: ArgumentHelp("Acknowledgement file (JSON Lines, appended).", valueName: "FILE"))
    var ack: String

    @Option(help: ArgumentHelp("A photo to publish (the same bytes every time, so files are shared).", valueName: "FILE"))
    var image: String

    @Option(help: ArgumentHelp("Rounds to run (default: until killed).", valueName: "N"))
    var rounds: Int = .max

    @Option(help: ArgumentHelp("The author to create and publish as.", valueName: "ID"))
    var author: String = "stress-author"

    @OptionGroup var data: DataOptions

    func run() async throws {
        let author = try parseUser(author, option: "--author")
        let engine = try data.openEngine()
        let now = data.now
        let fd = open(ack, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandFailure.report(StoreError(.io, "cannot open \(ack)")) }
        defer { close(fd) }
        func acknowledge(_ post: Post, keep: Bool) {
            let line = JSONValue.object([("id", .string(post.id.rawValue)), ("keep", .bool(keep))]).serialized + "\n"
            _ = line.withCString { write(fd, $0, strlen($0)) }
            fsync(fd)
        }
        try await CommandFailure.run {
            try await engine.store.upsertUsers([UserUpdate(id: author)])
            var round = 0
            while round < rounds {
                round += 1
                // Mostly new texts (new files, so a kill can fall between a file and its row),
                // every third round a repeated one (files shared between posts).
                let text = round % 3 == 0 ? "shared — مشترك" : "round \(UInt32.random(in: 0...UInt32.max)) — جولة"
                acknowledge(try await engine.publishText(author: author, text: text, at: now), keep: true)
                acknowledge(try await engine.publishMedia(author: author, file: image, at: now), keep: true)
                acknowledge(try await engine.publishMedia(author: author, file: image, at: now + (-2 * 86_400)), keep: false)
                _ = try await engine.store.purge(at: now, batchSize: 2, dryRun: false, progress: nil)
            }
        }
    }
}
