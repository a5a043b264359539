import ArgumentParser
import Foundation
import Hummingbird
import Logging
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
            409, 413, 415, 416, 422, 500 or 503. The routes are described in openapi.yaml; GET /metrics \
            gives the Prometheus text format. Uploads are streamed to DIR/uploads. The feed index is loaded before the first request is taken. \
            Stops on SIGINT or SIGTERM after the requests in flight, then records the ads it \
            served and gives back its budget leases.

            \(CommandFailure.help)
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: ArgumentHelp("Least level logged to standard error: trace, debug, info (one line per request), notice, warning, error.",
                               valueName: "LEVEL"))
    var logLevel = "info"
    @Option(help: "Print the SHA-256 digest of this token (for server.tokens) and exit.") var printDigest: String?
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: give one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        if let token = printDigest {
            print(Access.digest(of: token))
            return
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        // Before the engine opens, so that its metrics are exported too.
        StatusAPI.bootstrapMetrics()
        let engine = try data.openEngine(feedMode: .index)
        let api: StatusAPI
        do {
            let access = try Access(hashes: engine.configuration.server.tokens)
            api = try StatusAPI(engine: engine, access: access, uploads: data.resolvedDirectory + "/uploads")
        } catch {
            throw CommandFailure.report(error)
        }
        try await CommandFailure.run {
            try await engine.warmFeedIndex()
            var logger = Logger(label: "status-engine")
            logger.logLevel = level
            // Connections that send nothing (between requests, or mid-headers) are closed after
            // server.idle_timeout_s; bodies that drip are cut off by server.body_timeout_s.
            let app = Application(router: api.router(),
                                  server: StatusAPI.server(idleTimeoutSeconds: engine.configuration.server.idleTimeoutSeconds),
                                  configuration: .init(address: .hostname(host, port: port), serverName: "status-engine"),
                                  logger: logger)
            try await app.runService()
            try await engine.settleAds()
        }
    }
}
