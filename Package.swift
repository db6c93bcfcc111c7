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
    .target(name: "Sim", dependencies: ["Core"]),
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

// MARK: - Live (C edges, api, worker, local Kafka)
// BEGIN LIVE
// END LIVE

let package = Package(
    name: "ReplicaSafe",
    platforms: [.macOS(.v14)],
    products: products,
    dependencies: dependencies,
    targets: targets,
    swiftLanguageModes: [.v6]
)
