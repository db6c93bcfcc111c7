import Foundation
public import Hummingbird
import Prometheus

/// Counts requests by route, method and status and records their latency:
/// `replicasafe_http_requests_total{route,method,status}` and
/// `replicasafe_http_request_duration_seconds{route,method}`.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let series: HTTPSeriesCache

    public init(metrics: MetricsRegistry) {
        self.series = HTTPSeriesCache(metrics: metrics)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            record(route: context.endpointPath, method: method, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(route: context.endpointPath, method: method, status: status, since: start)
            throw error
        }
    }

    private func record(route: String?, method: String, status: Int, since start: ContinuousClock.Instant) {
        // Unmatched paths share one label value so scanners cannot explode the series count.
        let (counter, histogram) = series.get(route: route ?? "unmatched", method: method, status: status)
        counter.increment()
        histogram.record(ContinuousClock.now - start)
    }
}

/// Looks each series up in the registry once: the registry validates names and help text on every lookup,
/// which showed up in the api's profile at thousands of requests per second.
final class HTTPSeriesCache: @unchecked Sendable {
    // Safe: `cache` is only read and written while `lock` is held.
    private let lock = NSLock()
    private var cache: [String: (Counter, DurationHistogram)] = [:]
    private let metrics: MetricsRegistry

    init(metrics: MetricsRegistry) {
        self.metrics = metrics
    }

    func get(route: String, method: String, status: Int) -> (Counter, DurationHistogram) {
        let key = "\(route) \(method) \(status)"
        if let hit = lock.withLock({ cache[key] }) { return hit }
        let counter = metrics.counter("http_requests_total", help: "HTTP requests by route, method and status",
                                      labels: [("route", route), ("method", method), ("status", String(status))])
        let histogram = metrics.histogram("http_request_duration_seconds", help: "HTTP request latency",
                                          labels: [("route", route), ("method", method)])
        lock.withLock { cache[key] = (counter, histogram) }
        return (counter, histogram)
    }
}
