// swift-tools-version:6.1
import PackageDescription

// The module graph is the architecture (docs/architecture.md): Core imports nothing of ours; Sim and SimManifests
// import Core, never Live; the Live* targets import Core and the C modules, never Sim; only LiveKafka and
// LivePostgres see C types. `sim` depends on Core, Sim, SimManifests, ArgumentParser and Yams (whose libyaml is
// vendored as source), so `swift run sim` needs no C library installed.
//
// Every target lists each module it imports, and the two upcoming features below make that a build error
// rather than a convention: with MemberImportVisibility a member is visible only through a module the file
// imports itself, and with InternalImportsByDefault an import leaks into a module's public interface only when
// it says `public import`.

let strictImports: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting: Target.Dependency = .product(name: "HummingbirdTesting", package: "hummingbird")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let tracing: Target.Dependency = .product(name: "Tracing", package: "swift-distributed-tracing")
let instrumentation: Target.Dependency = .product(name: "Instrumentation", package: "swift-distributed-tracing")
let otel: Target.Dependency = .product(name: "OTel", package: "swift-otel")

let package = Package(
    name: "ReplicaSafe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sim", targets: ["sim"]),
        .executable(name: "api", targets: ["api"]),
        .executable(name: "worker", targets: ["worker"]),
        .executable(name: "kafka-dev", targets: ["kafka-dev"]),
        .executable(name: "ledger-ceiling", targets: ["ledger-ceiling"]),
        .executable(name: "wire-bench", targets: ["wire-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        // OTLP over HTTP only: the gRPC exporter's packages (grpc-swift-2, its NIO transport) stay unbuilt.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: Core: the processing state machine, pure.
        .target(name: "Core", swiftSettings: strictImports),

        // MARK: Simulator
        // Release builds skip the runtime exclusivity checks on the simulator's world state (the debug builds the
        // tests run keep them): they cost a tenth of a sweep's time and the code is exercised with them on.
        .target(
            name: "Sim", dependencies: ["Core"],
            swiftSettings: strictImports + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // `--from-manifests`: kustomize output read into Sim's autoscaling specs.
        .target(name: "SimManifests", dependencies: ["Sim", yams], swiftSettings: strictImports),

        // MARK: The event's wire format: its JSON (the api's request body, the Kafka value), UUID text, RFC 3339.
        .target(name: "EventWire", dependencies: ["Core"], swiftSettings: strictImports),

        // MARK: C modules: the only targets that see librdkafka, libpq and the bind interposer.
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // Fixed ports for the mock brokers: kafka-dev only, never api or worker.
        .target(name: "CListenPorts", path: "Sources/CListenPorts"),

        // MARK: Live libraries
        .target(name: "LiveBlocking", path: "Sources/Live/Blocking", swiftSettings: strictImports),
        .target(name: "LiveKafka", dependencies: ["CRdKafka", "LiveBlocking"], path: "Sources/Live/Kafka", swiftSettings: strictImports),
        // Sources/Live/Postgres/schema.sql is a link to db/schema.sql, embedded byte for byte as `Schema.sql`.
        .target(
            name: "LivePostgres", dependencies: ["CLibPQ", "LiveBlocking"], path: "Sources/Live/Postgres",
            resources: [.embedInCode("schema.sql")], swiftSettings: strictImports
        ),
        .target(
            name: "LiveService", dependencies: [argumentParser, hummingbird, lifecycle, logging, prometheus, unixSignals],
            path: "Sources/Live/Service", swiftSettings: strictImports
        ),
        .target(
            name: "LiveKafkaDev", dependencies: ["CListenPorts", "LiveKafka", hummingbird, lifecycle, logging],
            path: "Sources/Live/KafkaDev", swiftSettings: strictImports
        ),
        // API keys: their format, scopes and the owner's create/list/revoke (the api itself only reads them).
        .target(name: "LiveAPIKeys", dependencies: ["LivePostgres"], path: "Sources/Live/APIKeys", swiftSettings: strictImports),
        // W3C trace context in Kafka headers and the span helpers, on the swift-distributed-tracing API only.
        .target(name: "LiveTracing", dependencies: ["LiveKafka", instrumentation], path: "Sources/Live/Tracing", swiftSettings: strictImports),
        // The OTLP exporter (swift-otel): only the api and worker executables link it, never sim or the libraries.
        .target(name: "LiveOTel", dependencies: [lifecycle, logging, otel], path: "Sources/Live/OTel", swiftSettings: strictImports),
        .target(
            name: "LiveAPI",
            dependencies: [
                "Core", "EventWire", "LiveAPIKeys", "LiveKafka", "LivePostgres", "LiveService", "LiveTracing", httpTypes, hummingbird,
                instrumentation, logging, nioCore, nioPosix, prometheus, tracing,
            ],
            path: "Sources/Live/API", resources: [.embedInCode("openapi.yaml")], swiftSettings: strictImports
        ),
        .target(
            name: "LiveWorker",
            dependencies: [
                "Core", "EventWire", "LiveKafka", "LivePostgres", "LiveService", "LiveTracing", instrumentation, lifecycle, logging,
                prometheus, tracing,
            ],
            path: "Sources/Live/Worker", swiftSettings: strictImports
        ),

        // MARK: Executables
        .executableTarget(
            name: "sim", dependencies: ["Core", "Sim", "SimManifests", argumentParser],
            path: "Sources/Bins/sim", swiftSettings: strictImports
        ),
        .executableTarget(
            name: "api",
            dependencies: [
                "LiveAPI", "LiveAPIKeys", "LiveKafka", "LiveOTel", "LivePostgres", "LiveService", argumentParser, logging, nioCore, nioPosix,
            ],
            path: "Sources/Bins/api", swiftSettings: strictImports
        ),
        .executableTarget(
            name: "worker", dependencies: ["Core", "LiveOTel", "LivePostgres", "LiveService", "LiveWorker", argumentParser, logging],
            path: "Sources/Bins/worker", swiftSettings: strictImports
        ),
        .executableTarget(
            name: "kafka-dev", dependencies: ["LiveKafka", "LiveKafkaDev", "LiveService", argumentParser, hummingbird, lifecycle, logging],
            path: "Sources/Bins/kafka-dev", swiftSettings: strictImports
        ),
        // `make bench-worker`'s database ceiling: the worker's batch writes without Kafka (not in any image).
        .executableTarget(
            name: "ledger-ceiling", dependencies: ["Core", "LiveWorker", argumentParser],
            path: "Sources/Bins/ledger-ceiling", swiftSettings: strictImports
        ),
        // `make bench-wire`: EventWire's codec against Foundation's, the figures its comments quote.
        .executableTarget(name: "wire-bench", dependencies: ["Core", "EventWire"], path: "Sources/Bins/wire-bench", swiftSettings: strictImports),

        // MARK: Tests
        // Bounded polling for the tests that wait on real processes.
        .target(name: "TestPolling", path: "Tests/TestPolling", swiftSettings: strictImports),
        .testTarget(name: "CoreTests", dependencies: ["Core"], swiftSettings: strictImports),
        .testTarget(name: "EventWireTests", dependencies: ["Core", "EventWire"], swiftSettings: strictImports),
        .testTarget(name: "SimTests", dependencies: ["Core", "Sim", "SimManifests"], swiftSettings: strictImports),
        // Group-protocol scenarios run against the simulator's coordinator and librdkafka's mock cluster.
        .testTarget(name: "GroupConformanceTests", dependencies: ["Core", "LiveKafka", "Sim"], swiftSettings: strictImports),
        // Generated interleavings run on the simulator's database model and on PostgreSQL through libpq.
        .testTarget(
            name: "ModelConformanceTests", dependencies: ["Core", "LivePostgres", "LiveWorker", "Sim", "TestPolling"],
            swiftSettings: strictImports
        ),
        .testTarget(
            name: "LiveIntegrationTests",
            dependencies: [
                "Core", "EventWire", "LiveAPI", "LiveAPIKeys", "LiveKafka", "LiveKafkaDev", "LiveOTel", "LivePostgres", "LiveService",
                "LiveWorker", "TestPolling", httpTypes, hummingbird, hummingbirdTesting, lifecycle, logging, nioCore, yams,
            ],
            swiftSettings: strictImports
        ),
    ],
    swiftLanguageModes: [.v6]
)
