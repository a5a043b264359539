import ArgumentParser
import Foundation
import StatusEngine

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Synthetic data for demos, tests and benchmarks.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a deterministic synthetic population in the data directory.",
            discussion: """
                Users u1…uN with contacts whose number spreads around --contacts (log-normal; mostly \
                mutual, some one-way, a few blocks), every privacy mode (80% contacts, 12% \
                contacts_except, 8% only_share_with), and posts by --posters of them (1–5 each; 30% \
                text, 50% photo, 20% video, media from the fixtures, each rendered once and its files \
                shared) spread over the 24 hours before --at; about 30% of what each viewer may see is \
                seen, 3% of contacts muted. The same options and --seed give the same population. \
                Users already there are updated; posts are added. A progress bar on a terminal; \
                prints {"users", "contacts", "posts": {"text", "image", "video"}, "views", "mutes", \
                "seconds"}.

                \(CommandFailure.help)
                """)

        @Option(help: "Number of users.")
        var users: Int

        @Option(help: "Mean number of contacts per user.")
        var contacts: Int

        @Option(help: "Share of users with posts, 0–1.")
        var posters: Double = 0.4

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: ArgumentHelp("The fixtures directory (media for the posts).", valueName: "DIR"))
        var fixtures: String = "fixtures"

        @OptionGroup var data: DataOptions

        func validate() throws {
            let parameters = DemoPopulation.Parameters(users: users, contacts: contacts, posters: posters, seed: seed)
            if let problem = parameters.problem { throw ValidationError(problem) }
        }

        func run() async throws {
            let engine = try data.openEngine()
            let parameters = DemoPopulation.Parameters(users: users, contacts: contacts, posters: posters, seed: seed)
            let bar = ProgressBar(label: "seeding")
            let now = data.now
            try await CommandFailure.run {
                let summary = try await engine.seedDemo(parameters, fixtures: fixtures, at: now) { done, total in
                    bar.update(done: done, total: total)
                }
                bar.finish()
                print(summary.json.serialized)
            }
        }
    }
}
