import CoreMetrics
import Foundation

/// What the engine reports through swift-metrics: nothing until a process bootstraps a backend
/// (`statusctl serve` exports them in the Prometheus format on `GET /metrics`). The handles are
/// made when the engine opens, so bootstrap the backend before opening it.
struct EngineMetrics: Sendable {
    /// The organic feed (from the index or per request), seconds.
    let feed = Timer(label: "status_feed_seconds", preferredDisplayUnit: .seconds)
    /// Choosing the ads of one feed (targeting, caps, pacing, auction), seconds.
    let adSelection = Timer(label: "status_ad_selection_seconds", preferredDisplayUnit: .seconds)
    /// Ads placed in served feeds.
    let adsServed = Counter(label: "status_ads_served_total")
    /// Feeds the ad path gave no ads for, by reason (`busy`, `error`, `time_budget`, `ad_free`).
    let adsSkipped: [String: Counter] = Dictionary(uniqueKeysWithValues: ["busy", "error", "time_budget", "ad_free"].map {
        ($0, Counter(label: "status_ads_skipped_total", dimensions: [("reason", $0)]))
    })
    /// Ad events by type and outcome.
    private let events: [String: Counter] = Dictionary(uniqueKeysWithValues: AdEventType.allCases.flatMap { type in
        AdEventOutcome.allCases.map { outcome in
            ("\(type.rawValue)/\(outcome.rawValue)",
             Counter(label: "status_ad_events_total", dimensions: [("type", type.rawValue), ("outcome", outcome.rawValue)]))
        }
    })

    func event(_ type: AdEventType, _ outcome: AdEventOutcome) {
        events["\(type.rawValue)/\(outcome.rawValue)"]?.increment()
    }

    func skipped(_ reason: String?) {
        guard let reason else { return }
        adsSkipped[reason.hasPrefix("ad_free") ? "ad_free" : reason]?.increment()
    }

    static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }
}
