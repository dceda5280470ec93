import Hummingbird
import LabCore

/// One log line per request: method, path, status and duration. The query string is left
/// out, because tokens and hints travel there. A request slower than `slowAfter` is a
/// warning, so it shows at the default log level: a browser or proxy gives up at about 30 s.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    var slowAfter: Duration = .seconds(10)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, status: response.status.code, since: start, context: context)
            return response
        } catch let error as any HTTPResponseError {
            log(request, status: error.status.code, since: start, context: context)
            throw error
        }
    }

    private func log(_ request: Request, status: Int, since start: ContinuousClock.Instant, context: Context) {
        let duration = ContinuousClock.now - start
        context.logger.log(
            level: duration > slowAfter ? .warning : .info, duration > slowAfter ? "slow request" : "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.2f", duration.fractionalMilliseconds)),
            ])
    }
}
