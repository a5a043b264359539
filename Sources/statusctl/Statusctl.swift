import ArgumentParser
import Foundation
import StatusEngine

@main
struct Statusctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statusctl",
        abstract: "Status Engine: Status posts, feeds and sponsored Status ads.",
        discussion: """
            JSON on standard output is the contract; messages for people go to standard error.

            Exit status: 0 success; 1 an input was refused (see the JSON "error"); 64 usage error; \
            65 the database is damaged or from a newer engine; 73 an output directory could not be \
            created; 74 the data directory cannot be read or written; 75 the database is locked by \
            another process (retry); 78 configuration error.

            Commands on the data directory take --data DIR (default $STATUS_DATA, else var/) and \
            --at TIME (ISO 8601 or Unix seconds; default now).
            """,
        subcommands: [
            MediaCommand.self, UsersCommand.self, PostCommand.self, ShowCommand.self, FeedCommand.self,
            MyStatusCommand.self, DemoCommand.self, AdsCommand.self, ViewCommand.self,
            ViewersCommand.self, MuteCommand.self, UnmuteCommand.self, DeleteCommand.self,
            TakedownCommand.self, HoldCommand.self, ReleaseCommand.self, AuditCommand.self,
            PurgeCommand.self, ReconcileCommand.self, ServeCommand.self, VersionCommand.self, StressCommand.self,
        ]
    )
}

/// Options every command that reads the configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "Configuration file (JSON).",
        discussion: "Default: $STATUS_ENGINE_CONFIG, else config/engine.json in the current directory if present, else built-in defaults.",
        valueName: "FILE"))
    var path: String?

    func load() throws -> EngineConfiguration {
        do {
            return try EngineConfiguration.load(explicitPath: path)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("statusctl: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case table
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the versions of the linked media libraries as JSON.")

    func run() throws {
        let data = try JSONSerialization.data(withJSONObject: ["libraries": StatusEngineInfo.libraryVersions],
                                              options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
