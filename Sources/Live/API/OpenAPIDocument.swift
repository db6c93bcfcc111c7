/// The api's contract, docs/openapi.yaml, served at `GET /openapi.yaml`. SwiftPM embeds the file in the binary
/// (`.embedInCode`, through the link Sources/Live/API/openapi.yaml), so the api serves the document of its own
/// version, byte for byte, without a resource bundle next to it.
public enum OpenAPIDocument {
    public static let yaml = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
}
