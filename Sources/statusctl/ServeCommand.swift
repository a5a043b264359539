import ArgumentParser
import Foundation
import Hummingbird
import StatusEngine
import StatusHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API.",
        discussion: """
            GET /health, and the /v1 routes for the roles in the configuration's server.tokens \
            (SHA-256 digests of bearer tokens per role: feed, moderator, adops; --print-digest \
            TOKEN prints one). Errors are {"error": {"code", "message"}} with 400, 401, 403, 404, \
            409, 422, 500 or 503. The feed index is loaded before the first request is taken. \
            Stops on SIGINT or SIGTERM after the requests in flight, then records the ads it \
            served and gives back its budget leases.

            \(CommandFailure.help)
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Print the SHA-256 digest of this token (for server.tokens) and exit.") var printDigest: String?
    @OptionGroup var data: DataOptions

    func run() async throws {
        if let token = printDigest {
            print(Access.digest(of: token))
            return
        }
        let engine = try data.openEngine(feedMode: .index)
        let access: Access
        do {
            access = try Access(hashes: engine.configuration.server.tokens)
        } catch {
            throw CommandFailure.report(error)
        }
        try await CommandFailure.run {
            try await engine.warmFeedIndex()
            let app = Application(router: StatusAPI(engine: engine, access: access).router(),
                                  configuration: .init(address: .hostname(host, port: port), serverName: "status-engine"))
            try await app.runService()
            try await engine.settleAds()
        }
    }
}
