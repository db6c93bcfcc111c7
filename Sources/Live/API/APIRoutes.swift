public import HTTPTypes
import LiveService

/// Every path the api serves and its methods. The router registers from this table, a request with another
/// method on one of these paths gets 405 with `Allow` (`MethodNotAllowedMiddleware`), and a test compares it
/// with the paths and operations of docs/openapi.yaml.
public enum APIRoutes {
    public static let events = "/v1/events"
    public static let openAPI = "/openapi.yaml"
    /// Benchmark baseline, served only with `--enable-bare-route` and not part of the contract.
    public static let bare = "/bench/bare-202"

    public static func table(enableBareRoute: Bool) -> [String: [HTTPRequest.Method]] {
        var table: [String: [HTTPRequest.Method]] = [events: [.post], openAPI: [.get]]
        for path in OperationalRoutes.paths { table[path] = [.get] }
        if enableBareRoute { table[bare] = [.post] }
        return table
    }
}
