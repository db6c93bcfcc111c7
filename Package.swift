// swift-tools-version:6.0
import PackageDescription

// Dependency rules (docs/architecture.md): Core imports nothing of ours; Sim imports Core, never Live;
// the Live* targets import Core and the C shims, never Sim; only LiveKafka and LivePostgres see C types.
// `swift run sim` builds Core + Sim + ArgumentParser only, so it needs no C library installed.

var dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
]

var targets: [Target] = [
    .target(name: "Core"),
    // Release builds skip the runtime exclusivity checks on the simulator's world state (the debug builds the
    // tests run keep them): they cost a tenth of a sweep's time and the code is exercised with them on.
    .target(name: "Sim", dependencies: ["Core"], swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
    .executableTarget(
        name: "sim",
        dependencies: ["Sim", "Core", .product(name: "ArgumentParser", package: "swift-argument-parser")],
        path: "Sources/Bins/sim"
    ),
    .testTarget(name: "CoreTests", dependencies: ["Core"]),
    .testTarget(name: "SimTests", dependencies: ["Sim", "Core"]),
]

var products: [Product] = [
    .executable(name: "sim", targets: ["sim"]),
]

// Manifest reader of `sim` (Sources/Bins/sim/Manifests, `--from-manifests`): Yams, whose libyaml is vendored as
// source, so `swift run sim` still needs no C library installed. Sim itself stays free of it; SimTests reaches the
// reader through `@testable import sim`.
dependencies.append(.package(url: "https://github.com/jpsim/Yams", from: "6.0.0"))
for target in targets where target.name == "sim" { target.dependencies.append(.product(name: "Yams", package: "Yams")) }
for target in targets where target.name == "SimTests" { target.dependencies.append("sim") }

// MARK: - Live (C edges, api, worker, local Kafka)
// BEGIN LIVE
// Only CRdKafka/CLibPQ see the C libraries; only LiveKafka/LivePostgres import them. `sim` depends on none of
// these, so it builds on a machine without librdkafka-dev or libpq-dev.
dependencies += [
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
]

let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

targets += [
    .systemLibrary(
        name: "CRdKafka", path: "Sources/CRdKafka", pkgConfig: "rdkafka",
        providers: [.apt(["librdkafka-dev"])]
    ),
    .systemLibrary(
        name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
        providers: [.apt(["libpq-dev"])]
    ),
    .target(name: "LiveBlocking", path: "Sources/Live/Blocking"),
    // Fixed ports for the mock brokers (a `bind` interposer): kafka-dev only, never api or worker.
    .target(name: "CListenPorts", path: "Sources/CListenPorts"),
    .target(
        name: "LiveKafkaDev",
        dependencies: ["LiveKafka", "CListenPorts", "LiveService", hummingbird, logging],
        path: "Sources/Live/KafkaDev"
    ),
    .target(name: "LiveKafka", dependencies: ["CRdKafka", "LiveBlocking", logging], path: "Sources/Live/Kafka"),
    .target(name: "LivePostgres", dependencies: ["CLibPQ", "LiveBlocking", logging], path: "Sources/Live/Postgres"),
    .target(
        name: "LiveService",
        dependencies: [
            hummingbird, lifecycle, logging, argumentParser,
            .product(name: "Prometheus", package: "swift-prometheus"),
        ],
        path: "Sources/Live/Service"
    ),
    .target(
        name: "LiveAPI",
        dependencies: [
            "LiveKafka", "LivePostgres", "LiveService", hummingbird, lifecycle, logging,
            .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ],
        path: "Sources/Live/API"
    ),
    .executableTarget(
        name: "api",
        dependencies: [
            "LiveAPI", "LiveService", argumentParser, lifecycle, logging,
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ],
        path: "Sources/Bins/api"
    ),
    .executableTarget(
        name: "kafka-dev",
        dependencies: ["LiveKafkaDev", "LiveKafka", "LiveService", hummingbird, argumentParser, lifecycle, logging],
        path: "Sources/Bins/kafka-dev"
    ),
    .testTarget(
        name: "LiveIntegrationTests",
        dependencies: [
            "LiveKafka", "LiveKafkaDev", "LivePostgres", "LiveService", "LiveAPI",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]
    ),
]

products += [
    .executable(name: "api", targets: ["api"]),
    .executable(name: "kafka-dev", targets: ["kafka-dev"]),
]
// Worker (issue 3): Core driven by librdkafka and libpq. Appended; the integration tests also exercise it.
targets += [
    .target(
        name: "LiveWorker",
        dependencies: ["Core", "LiveKafka", "LivePostgres", "LiveService", hummingbird, lifecycle, logging],
        path: "Sources/Live/Worker"
    ),
    .executableTarget(
        name: "worker",
        dependencies: ["LiveWorker", "LiveService", "LivePostgres", argumentParser, lifecycle, logging],
        path: "Sources/Bins/worker"
    ),
]
for target in targets where target.name == "LiveIntegrationTests" {
    target.dependencies += ["LiveWorker", "Core"]
}
products += [.executable(name: "worker", targets: ["worker"])]
// END LIVE

let package = Package(
    name: "ReplicaSafe",
    platforms: [.macOS(.v14)],
    products: products,
    dependencies: dependencies,
    targets: targets,
    swiftLanguageModes: [.v6]
)
