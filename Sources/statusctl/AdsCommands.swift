import ArgumentParser
import Foundation
import StatusEngine

struct AdsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ads", abstract: "Load, list, pause and resume ad campaigns; events and reports.",
        subcommands: [Load.self, List.self, Pause.self, Resume.self, Preview.self, Event.self, Report.self, Simulate.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check and load an ad manifest (advertisers, campaigns, creatives).",
            discussion: """
                The manifest is JSON (see docs/ADS.md): {"advertisers": [...], "campaigns": [...], \
                "creatives": [...]}; creatives' media paths are relative to the manifest and must \
                stay inside its folder. Every field is checked and each creative's media is \
                validated by the media module under the ad policy (photo or video, video at most \
                ads.max_video_s, width ÷ height within ads.min_aspect…ads.max_aspect). All or \
                nothing: one problem loads nothing, and every problem is listed with its location; \
                --partial loads the good entries (and those that do not depend on bad ones). \
                Loading the same ids again updates them (a total budget below what is spent is \
                refused; a creative's media cannot change). A progress bar on a terminal; prints \
                {"loaded": {"advertisers", "campaigns", "creatives"}, "rejected", "errors": \
                [{"location", "reason"}], "partial"}.

                \(CommandFailure.help) Any rejected entry gives 1.
                """)

        @Argument(help: ArgumentHelp("The manifest.", valueName: "MANIFEST"))
        var manifest: String

        @Flag(help: "Load the good entries even if some are refused.")
        var partial = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            let engine = try data.openEngine()
            let bar = ProgressBar(label: "checking creatives")
            try await CommandFailure.run {
                let report = try await engine.loadAds(manifest: manifest, partial: partial) { bar.update(done: $0, total: $1) }
                bar.finish()
                print(report.json.serialized)
                for error in report.errors {
                    FileHandle.standardError.write(Data("statusctl: \(manifest): \(error.location): \(error.reason)\n".utf8))
                }
                if !report.errors.isEmpty { throw ExitCode(1) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the campaigns, one JSON line each.",
            discussion: """
                {"id", "advertiser", "active", "bid_cpm_micros", "daily_budget_micros", \
                "total_budget_micros", "spent_micros", "start", "end", "pacing", "targeting": \
                {"countries", "languages", "age"}, "frequency_caps": [{"scope", "max", "window_s"}], \
                "creatives": [ids]}.

                \(CommandFailure.help)
                """)

        @OptionGroup var data: DataOptions

        func run() async throws {
            let engine = try data.openEngine()
            try await CommandFailure.run {
                for campaign in try await engine.adInventory().campaignsJSON {
                    print(campaign.serialized)
                }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a campaign: it is not served until resumed.", discussion: CommandFailure.help)
        @Argument(help: ArgumentHelp("The campaign's id.", valueName: "ID")) var id: String
        @OptionGroup var data: DataOptions

        func run() async throws { try await setActive(id, false, data) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused campaign.", discussion: CommandFailure.help)
        @Argument(help: ArgumentHelp("The campaign's id.", valueName: "ID")) var id: String
        @OptionGroup var data: DataOptions

        func run() async throws { try await setActive(id, true, data) }
    }

    static func setActive(_ raw: String, _ active: Bool, _ data: DataOptions) async throws {
        guard let id = CampaignID(rawValue: raw) else {
            throw ValidationError("ID is not \(CampaignID.explanation): \(raw)")
        }
        let engine = try data.openEngine()
        try await CommandFailure.run {
            let campaign = try await engine.setCampaign(id, active: active)
            print(campaign.json(spent: nil, creatives: nil).serialized)
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a viewer's feed with ads placed, never charged or counted.",
            discussion: """
                Prints the feed as `feed --explain` does, with "token": null on every ad. With \
                --creative, that creative is forced into the first slot (after the last group of a \
                shorter feed), whatever its targeting, budget or caps; without, the ads the auction \
                would pick now. Nothing is charged, recorded or counted against frequency caps.

                \(CommandFailure.help)
                """)

        @Option(help: ArgumentHelp("The viewer's user id.", valueName: "ID")) var viewer: String
        @Option(help: ArgumentHelp("A creative to force into the first slot.", valueName: "ID")) var creative: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            let viewer = try parseUser(self.viewer, option: "--viewer")
            let forced = try creative.map { raw -> CreativeID in
                guard let id = CreativeID(rawValue: raw) else { throw ValidationError("--creative is not \(CreativeID.explanation): \(raw)") }
                return id
            }
            let engine = try data.openEngine()
            let now = data.now
            try await CommandFailure.run {
                let page = try await engine.previewAds(for: viewer, creative: forced, at: now)
                print(page.json(explain: true, policy: engine.configuration.ads.policy).serialized)
            }
        }
    }

    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a day of synthetic feed requests against the loaded inventory.",
            discussion: """
                In memory: nothing is charged or stored. --requests requests arrive over --hours \
                hours from midnight UTC of --at, along the traffic curve (ads.hourly_traffic), from \
                5,000 synthetic viewers; served ads are clicked at a per-campaign rate. Writes an \
                SVG chart of each campaign's spend over the hours beside its daily budget to --out, \
                and prints one JSON line per campaign: {"campaign", "pacing", "daily_budget_micros", \
                "spent_micros", "budget_share", "served", "clicks", "dry_at_hour", "capped_requests"} \
                (or a table).

                \(CommandFailure.help)
                """)

        @Option(help: "Hours to simulate (1–168).") var hours = 24
        @Option(help: "Requests over those hours.") var requests = 50_000
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: ArgumentHelp("Where to write the chart.", valueName: "FILE")) var out = "var/ads-simulation.svg"
        @Option(help: "Output format: json (the default and the contract) or table.") var format: OutputFormat = .json
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard (1...168).contains(hours) else { throw ValidationError("--hours must be between 1 and 168") }
            guard (1...10_000_000).contains(requests) else { throw ValidationError("--requests must be between 1 and 10000000") }
        }

        func run() async throws {
            let engine = try data.openEngine()
            let now = data.now
            try await CommandFailure.run {
                let simulation = try await engine.simulateAds(hours: hours, requests: requests, seed: seed, at: now)
                let folder = (out as NSString).deletingLastPathComponent
                do {
                    if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                    try simulation.svg().write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    throw StoreError(.io, "cannot write \(out): \(error.localizedDescription)")
                }
                FileHandle.standardError.write(Data("statusctl: chart written to \(out)\n".utf8))
                var table = [["CAMPAIGN", "PACING", "DAILY", "SPENT", "SHARE", "SERVED", "CLICKS", "DRY_AT", "CAPPED"]]
                for result in simulation.campaigns {
                    switch format {
                    case .json:
                        print(JSONValue.object([
                            ("campaign", .string(result.campaign.id.rawValue)), ("pacing", .string(result.campaign.pacing.rawValue)),
                            ("daily_budget_micros", .int(Int(result.campaign.dailyBudgetMicros))), ("spent_micros", .int(Int(result.spentMicros))),
                            ("budget_share", .double((result.budgetShare * 10_000).rounded() / 10_000)), ("served", .int(result.served)),
                            ("clicks", .int(result.clicks)), ("dry_at_hour", result.dryAtHour.map { .int($0) } ?? .null),
                            ("capped_requests", .int(result.cappedRequests)),
                        ]).serialized)
                    case .table:
                        table.append([result.campaign.id.rawValue, result.campaign.pacing.rawValue, String(result.campaign.dailyBudgetMicros),
                                      String(result.spentMicros), String(format: "%.1f%%", result.budgetShare * 100), String(result.served),
                                      String(result.clicks), result.dryAtHour.map { "\($0) h" } ?? "-", String(result.cappedRequests)])
                    }
                }
                if format == .table {
                    let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
                    for row in table {
                        print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
                    }
                }
            }
        }
    }

    struct Event: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record what a viewer did with an ad, counted once per token and type.",
            discussion: """
                --token is the "token" of the ad item in the feed. Types: impression (the ad was \
                on screen), click (the call to action; for a message ad, a click-to-chat \
                conversation start), hide (this advertiser's ads are not shown to the viewer \
                again), block_advertiser. Prints {"outcome": "recorded"|"already_counted", "type"}, \
                plus "conversation": {"advertiser", "chat"} (the chat to open) for a click on a \
                message ad. \
                A forged or unknown token is refused with "unknown_token".

                \(CommandFailure.help)
                """)

        @Option(help: "The ad's event token.") var token: String
        @Option(help: "impression, click, hide or block_advertiser.") var type: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            guard let kind = AdEventType(rawValue: type) else {
                throw ValidationError("--type must be one of \(AdEventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let engine = try data.openEngine()
            let now = data.now
            try await CommandFailure.run {
                let receipt = try await engine.recordAdEvent(token: token, type: kind, at: now)
                print(receipt.json(type: kind).serialized)
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Served ads, impressions, clicks and spend per creative per day.",
            discussion: """
                One row per creative per UTC day with anything served between --from and --to \
                (days, inclusive; default: the day of --at): day, campaign, creative, served, \
                impressions, clicks, ctr (clicks ÷ impressions), spend_micros, conversations \
                (click-to-chat starts). CSV with a header \
                row, or JSON (an array of objects with those keys).

                \(CommandFailure.help)
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

        @Option(help: "First day (YYYY-MM-DD or a time).") var from: String?
        @Option(help: "Last day (YYYY-MM-DD or a time).") var to: String?
        @Option(help: "csv (default) or json.") var format: Format = .csv
        @OptionGroup var data: DataOptions

        func day(_ raw: String?, option: String) throws -> Timestamp? {
            guard let raw else { return nil }
            guard let time = Timestamp(parsingDay: raw) else {
                throw ValidationError("\(option) is not a day or a time: \(raw)")
            }
            return time
        }

        func run() async throws {
            let now = data.now
            let first = try day(from, option: "--from") ?? now
            let last = try day(to, option: "--to") ?? first
            let engine = try data.openEngine()
            try await CommandFailure.run {
                let rows = try await engine.adsReport(from: first, to: last)
                switch format {
                case .json:
                    print(JSONValue.array(rows.map(\.json)).serialized)
                case .csv:
                    print(AdReportRow.csv(rows), terminator: "")
                }
            }
        }
    }
}
