import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Prometheus
import StatusEngine

/// The process's metrics, exported on `GET /metrics` in the Prometheus text format: per route
/// request counts and latency histograms (Hummingbird's `MetricsMiddleware`), the engine's feed
/// and ad-selection latency, ads served and skipped and ad events, and what purges removed.
///
/// swift-metrics has one backend per process: the first use bootstraps it with a Prometheus
/// registry, and every ``StatusAPI`` of the process shares it. Open the engine after the first
/// use (``bootstrap()``), or its metrics go nowhere.
final class APIMetrics: Sendable {
    static let shared = APIMetrics()

    let registry: PrometheusCollectorRegistry
    private let purgedPosts: Metrics.Counter
    private let purgedFiles: Metrics.Counter
    private let purgedBytes: Metrics.Counter

    private init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Seconds, from 100 µs to 10 s.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        purgedPosts = Metrics.Counter(label: "status_purged_posts_total")
        purgedFiles = Metrics.Counter(label: "status_purged_files_total")
        purgedBytes = Metrics.Counter(label: "status_purged_bytes_total")
    }

    /// Sets up the process's metrics backend (once; later calls do nothing).
    static func bootstrap() { _ = shared }

    func purged(_ summary: PurgeSummary) {
        purgedPosts.increment(by: summary.posts)
        purgedFiles.increment(by: summary.files)
        purgedBytes.increment(by: Int(summary.bytes))
    }

    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        registry.emit(into: &buffer)
        return buffer
    }
}

extension StatusAPI {
    /// Sets up the metrics backend `GET /metrics` exports. Call it before opening the engine, so
    /// that the engine's own metrics are exported too.
    public static func bootstrapMetrics() { APIMetrics.bootstrap() }
}

/// One structured log line per request, with its request id (also sent back as `X-Request-Id`),
/// method, route, status and duration; 5xx answers log at error level with the error's message.
struct RequestLog<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let answer = APIError(error)
            response = try answer.response(from: request, context: context)
            if answer.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error.code": .string(answer.code), "error.message": .string(answer.message)])
            }
        }
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(level: response.status.code >= 500 ? .error : .info, "request", metadata: [
            "http.method": .string(request.method.rawValue),
            "http.route": .string(context.endpointPath ?? request.uri.path),
            "http.status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", milliseconds)),
        ])
        return response
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
