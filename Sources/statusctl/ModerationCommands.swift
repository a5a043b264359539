import ArgumentParser
import Foundation
import StatusEngine

struct TakedownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takedown",
        abstract: "Take a post down: out of every feed at once, its files deleted unless held.",
        discussion: """
            With --hold the files are kept as evidence (never served) until `release`. The \
            action is written to the audit log. Prints the post as JSON (see `post`).

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("The post.", valueName: "ID"))
    var post: String

    @Option(help: ArgumentHelp("Why (kept in the audit log).", valueName: "TEXT"))
    var reason: String

    @Option(help: ArgumentHelp("Who takes it down.", valueName: "NAME"))
    var moderator: String

    @Flag(help: "Place a legal hold: keep the files until released.")
    var hold = false

    @OptionGroup var data: DataOptions

    func validate() throws { try validateModerator(moderator, reason: reason) }

    func run() async throws {
        let post = try parsePost(post)
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            print(try await engine.store.takedown(post: post, reason: reason, moderator: moderator, hold: hold, at: now).json.serialized)
        }
    }
}

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Place a legal hold on a post: its files outlive expiry and removal (never served) until released.",
        discussion: "Written to the audit log. Prints the post as JSON.\n\n\(CommandFailure.help)")

    @OptionGroup var action: HoldAction

    func run() async throws { try await action.run(hold: true) }
}

struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Lift a legal hold: a removed post's files go at once, an expired one's with the next purge.",
        discussion: "Written to the audit log. Prints the post as JSON.\n\n\(CommandFailure.help)")

    @OptionGroup var action: HoldAction

    func run() async throws { try await action.run(hold: false) }
}

struct HoldAction: ParsableArguments {
    @Option(help: ArgumentHelp("The post.", valueName: "ID"))
    var post: String

    @Option(help: ArgumentHelp("Who acts.", valueName: "NAME"))
    var moderator: String

    @Option(help: ArgumentHelp("Why (kept in the audit log).", valueName: "TEXT"))
    var reason: String?

    @OptionGroup var data: DataOptions

    func validate() throws { try validateModerator(moderator, reason: reason) }

    func run(hold: Bool) async throws {
        let post = try parsePost(post)
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            let result = hold
                ? try await engine.store.hold(post: post, reason: reason, moderator: moderator, at: now)
                : try await engine.store.release(post: post, reason: reason, moderator: moderator, at: now)
            print(result.json.serialized)
        }
    }
}

private func validateModerator(_ moderator: String, reason: String?) throws {
    if let problem = ModerationInput.problem(moderator: moderator, reason: reason) {
        throw ValidationError("--\(problem.field): \(problem.rule)")
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the append-only audit log of moderator actions as JSON Lines.",
        discussion: """
            One line per action, oldest first: {"seq", "at", "action": \
            "takedown"|"hold"|"release"|"purge"|"reconcile", "actor", "post", "reason", "detail"}. \
            The database refuses to change or delete an entry.

            \(CommandFailure.help)
            """)

    @Option(help: ArgumentHelp("Only entries after this sequence number.", valueName: "SEQ"))
    var after: Int64 = 0

    @Option(help: ArgumentHelp("At most this many entries.", valueName: "N"))
    var limit: Int = 1_000

    @OptionGroup var data: DataOptions

    func run() async throws {
        let engine = try data.openEngine()
        try await CommandFailure.run {
            for entry in try await engine.store.auditLog(after: after, limit: max(1, limit)) {
                print(entry.json.serialized)
            }
        }
    }
}

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete the rows and files of expired and taken-down posts that are not held.",
        discussion: """
            A post expires 24 hours after it was published (at --at or later it is purged). Rows go \
            in batches of short transactions (readers never wait; writers wait at most one batch); \
            each batch's deletion is committed before its files are unlinked, and a file still used \
            by another post is kept. An interrupted purge resumes where it stopped; running it again \
            does nothing more. A progress bar is drawn on standard error when it is a terminal.

            Prints {"posts", "files", "bytes", "dry_run"}: rows deleted, files unlinked and their \
            bytes (with --dry-run, what would be).

            \(CommandFailure.help)
            """)

    @Flag(name: .customLong("dry-run"), help: "Count what would be purged; change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Posts per transaction (default: storage.purge_batch, 1000).", valueName: "N"))
    var batch: Int?

    @OptionGroup var data: DataOptions

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        let engine = try data.openEngine()
        let now = data.now
        let bar = ProgressBar(label: "purge")
        try await CommandFailure.run {
            let summary = try await engine.store.purge(
                at: now, batchSize: batch ?? engine.configuration.storage.purgeBatchSize, dryRun: dryRun,
                progress: { done, total in bar.update(done: done, total: total) })
            bar.finish()
            print(summary.json.serialized)
        }
    }
}

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare blob files with the database: orphan files, missing files, stale temporary files.",
        discussion: """
            An orphan file (no row) is what a crash between writing a file and committing its row \
            leaves; --fix removes orphans, temporary files older than storage.temporary_grace_s and \
            files an interrupted purge left in the trash (both counted as stale_temporary_files), \
            and recounts references. A row whose file is missing cannot be repaired from here and \
            is reported for a person to look at.

            Prints {"orphan_files", "orphan_bytes", "missing_files", "stale_temporary_files", \
            "miscounted_blobs", "fixed", "clean"}.

            \(CommandFailure.help) Findings left unrepaired (anything without --fix, missing files with it) give 1.
            """)

    @Flag(help: "Repair what can be repaired.")
    var fix = false

    @OptionGroup var data: DataOptions

    func run() async throws {
        let engine = try data.openEngine()
        let now = data.now
        try await CommandFailure.run {
            let report = try await engine.store.reconcile(fix: fix, at: now)
            print(report.json.serialized)
            if !report.isClean && (!fix || !report.missingFiles.isEmpty) { throw ExitCode(1) }
        }
    }
}
