import Hummingbird

/// Counts requests by route, method and status and records their latency:
/// `replicasafe_http_requests_total{route,method,status}` and
/// `replicasafe_http_request_duration_seconds{route,method}`.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: MetricsRegistry

    public init(metrics: MetricsRegistry) {
        self.metrics = metrics
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
        let route = route ?? "unmatched"
        metrics.counter("http_requests_total", help: "HTTP requests by route, method and status",
                        labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        metrics.histogram("http_request_duration_seconds", help: "HTTP request latency",
                          labels: [("route", route), ("method", method)]).record(ContinuousClock.now - start)
    }
}
