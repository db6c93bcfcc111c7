import HTTPTypes
public import Hummingbird

/// Answers a known path requested with a method it does not serve: 405 with `Allow` (RFC 9110 15.5.6)
/// instead of the router's 404. Paths it does not know pass through to the router (404).
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: [String: [HTTPRequest.Method]]

    public init(allowed: [String: [HTTPRequest.Method]]) {
        self.allowed = allowed
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = allowed[request.uri.path], !methods.contains(request.method) else {
            return try await next(request, context)
        }
        throw APIError.methodNotAllowed(request.method, path: request.uri.path, allowed: methods)
    }
}
