// swift-tools-version:6.1
//
// Benchmarks for TestZone (ordo-one package-benchmark). A separate package so that the main
// build does not depend on the benchmark tooling. Run with `make bench`, or from this folder:
//   swift package --disable-sandbox benchmark
// Each target lives in Benchmarks/<Target>/ and compares against a reference measured in the
// same run where the issue asks for a ratio (reference programs in ../Tools/bench).

import PackageDescription

let benchmark = Target.Dependency.product(name: "Benchmark", package: "package-benchmark")
let plugins: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]

let package = Package(
    name: "TestZoneBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "testzone", path: "../"),
        // MallocInterposer counts allocations; the trait must be named explicitly offline (DESIGN.md 6).
        // It wraps every malloc/free, which slows allocating code: TESTZONE_BENCH_TIME_ONLY=1 builds
        // without it, for wall-clock comparisons with uninstrumented reference programs.
        .package(
            url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1",
            traits: Context.environment["TESTZONE_BENCH_TIME_ONLY"] == nil ? ["MallocInterposer"] : []),
    ],
    targets: [
        // One executable target per benchmark suite, e.g.:
        // .executableTarget(name: "ZeroMQBenchmarks", dependencies: [benchmark, .product(name: "ZeroMQ", package: "testzone")], path: "Benchmarks/ZeroMQBenchmarks", plugins: plugins),
        .executableTarget(name: "CV2XBenchmarks", dependencies: [benchmark, .product(name: "CV2X", package: "testzone")], path: "Benchmarks/CV2XBenchmarks", plugins: plugins),
        .executableTarget(name: "ZeroMQBenchmarks", dependencies: [benchmark, .product(name: "ZeroMQ", package: "testzone")], path: "Benchmarks/ZeroMQBenchmarks", plugins: plugins),
        .executableTarget(name: "MetricsBenchmarks", dependencies: [benchmark, .product(name: "Metrics", package: "testzone"), .product(name: "Store", package: "testzone"), .product(name: "Pipeline", package: "testzone"), .product(name: "CV2X", package: "testzone"), .product(name: "JT808", package: "testzone"), .product(name: "Recording", package: "testzone")], path: "Benchmarks/MetricsBenchmarks", plugins: plugins),
        .executableTarget(name: "ReportsBenchmarks", dependencies: [benchmark, .product(name: "Reports", package: "testzone"), .product(name: "Store", package: "testzone"), .product(name: "Metrics", package: "testzone")], path: "Benchmarks/ReportsBenchmarks", plugins: plugins),
        .executableTarget(name: "RecordingBenchmarks", dependencies: [benchmark, .product(name: "Recording", package: "testzone")], path: "Benchmarks/RecordingBenchmarks", plugins: plugins),
        .executableTarget(name: "ZoneBenchmarks", dependencies: [benchmark, .product(name: "Zone", package: "testzone"), .product(name: "Simulator", package: "testzone")], path: "Benchmarks/ZoneBenchmarks", plugins: plugins),
        .executableTarget(name: "JT808Benchmarks", dependencies: [benchmark, .product(name: "JT808", package: "testzone")], path: "Benchmarks/JT808Benchmarks", plugins: plugins),
    ]
)
