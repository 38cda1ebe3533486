// swift-tools-version:6.1
//
// TestZone: telemetry processor for an intelligent-connected-vehicle test zone.
// The layout follows DESIGN.md section 2: one module per part, dependencies flowing one way
// (testzone -> Reports/Pipeline -> Store/Recording/Metrics -> Zone -> CV2X/JT808 -> UPER,
// and Pipeline -> ZeroMQ -> CZeroMQ). Swift 6 language mode (strict concurrency) throughout.

import PackageDescription

let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let postgres = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")

let package = Package(
    name: "testzone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "testzone", targets: ["testzone"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "UPER", targets: ["UPER"]),
        .library(name: "CV2X", targets: ["CV2X"]),
        .library(name: "JT808", targets: ["JT808"]),
        .library(name: "Recording", targets: ["Recording"]),
        .library(name: "Zone", targets: ["Zone"]),
        .library(name: "Metrics", targets: ["Metrics"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // Issue 15 (Server): HTTP API, SSE, dashboard and Prometheus text.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Issue 19: bearer-token authentication of the console (roles, audit log).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        // Issue 20: PostgreSQL as the shared store of several ingest nodes.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: System libraries (headers from Debian's -dev packages; `make setup` installs them)

        // No `pkgConfig:` on purpose: Debian's libzmq.pc adds a krb5 -isystem flag that SwiftPM
        // warns about on every build (DESIGN.md section 6). The headers are in /usr/include.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),

        // MARK: Library modules
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .target(name: "UPER"),
        .target(name: "CV2X", dependencies: ["UPER"]),
        .target(name: "JT808"),
        .target(name: "Recording", dependencies: ["CZstd", "CLZ4"]),
        .target(name: "Zone", dependencies: ["CV2X", "TOMLKit"]),
        .target(name: "CMemoryHints"),
        .target(name: "Metrics", dependencies: ["Zone", "CMemoryHints"]),
        .target(
            name: "Store", dependencies: ["Metrics", "Zone", grdb, postgres, logging], exclude: ["README.md"]),
        .target(name: "Simulator", dependencies: ["CV2X", "JT808", "Recording", "Zone", "ZeroMQ"]),
        .target(
            name: "Pipeline",
            dependencies: ["ZeroMQ", "Recording", "CV2X", "JT808", "Zone", "Metrics", "Store", logging]
        ),
        .target(name: "Reports", dependencies: ["Store", "Metrics", "Zone", grdb]),
        // swift-metrics has a module named `Metrics` too: inside the Server module's dependency
        // graph it is renamed `SwiftMetrics` so that `Metrics` stays TestZone's own module.
        .target(
            name: "Server",
            dependencies: [
                "Pipeline", "Store", "Metrics", "Zone", "Reports", grdb, logging,
                .product(
                    name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"]),
                .product(
                    name: "HummingbirdAuth", package: "hummingbird-auth",
                    moduleAliases: ["Metrics": "SwiftMetrics"]),
                "TOMLKit",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),

        // MARK: Command-line tool
        .executableTarget(
            name: "testzone",
            dependencies: [
                "ZeroMQ",
                "CV2X",
                "Recording",
                "JT808",
                "Metrics",
                "Store",
                "Pipeline",
                "Simulator",
                "Reports",
                "Zone",
                "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                logging,
            ]
        ),

        // MARK: Tests (Swift Testing, one target per module)
        .target(
            name: "TestZoneTestSupport", dependencies: ["Store", "ZeroMQ", grdb],
            path: "Tests/TestZoneTestSupport"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "TestZoneTestSupport"]),
        .testTarget(name: "UPERTests", dependencies: ["UPER"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CV2XTests", dependencies: ["CV2X", "UPER"], resources: [.copy("Fixtures")]),
        .testTarget(name: "JT808Tests", dependencies: ["JT808"]),
        .testTarget(
            name: "RecordingTests",
            dependencies: ["Recording", "ZeroMQ", "testzone", "TestZoneTestSupport", "Store"]
        ),
        .testTarget(
            name: "ZoneTests", dependencies: ["Zone", "CV2X", "UPER"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Zone", "TestZoneTestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Metrics", "Zone", "TestZoneTestSupport"]),
        .testTarget(
            name: "SimulatorTests",
            dependencies: ["Simulator", "Zone", "CV2X", "UPER", "JT808", "Recording", "ZeroMQ"]
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "Recording", "CV2X", "JT808", "Zone", "Simulator", "Metrics", "Store"]
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: [
                "Reports", "Store", "Metrics", "Zone", "Pipeline", "Simulator", "TestZoneTestSupport",
            ]),
        .testTarget(name: "CLITests", dependencies: ["ZeroMQ", "Store", grdb, "TestZoneTestSupport"]),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "testzone", "Pipeline", "Store", "Metrics", "Recording", "ZeroMQ", "Zone", grdb,
                "TestZoneTestSupport",
            ]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["testzone", "Server", "Store", "Recording", "ZeroMQ", "TestZoneTestSupport", grdb]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
