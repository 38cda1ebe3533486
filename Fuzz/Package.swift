// swift-tools-version:6.1
//
// libFuzzer targets for TestZone's decoders. A separate package because every target here is
// built with `-sanitize=fuzzer,address` and defines `LLVMFuzzerTestOneInput` instead of `main`.
// Run with `make fuzz` (FUZZ_SECONDS sets the duration per target); corpora live in Fuzz/Corpus/<Target>/.

import PackageDescription

let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])]
let fuzzLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "TestZoneFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "testzone", path: "../"),
    ],
    targets: [
        // One executable target per fuzz target, e.g.:
        // .executableTarget(name: "FuzzMessageFrame", dependencies: [.product(name: "CV2X", package: "testzone")], path: "Targets/FuzzMessageFrame", swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
        // A target defines `<Target>_main` calling LLVMFuzzerRunDriver (see Targets/FuzzUPER/FuzzMain.swift, needs the Extern feature).
        .executableTarget(name: "FuzzMessageFrame", dependencies: [.product(name: "CV2X", package: "testzone"), .product(name: "UPER", package: "testzone")], path: "Targets/FuzzMessageFrame", swiftSettings: fuzzFlags + [.enableExperimentalFeature("Extern")], linkerSettings: fuzzLink),
        .executableTarget(name: "FuzzUPER", dependencies: [.product(name: "UPER", package: "testzone")], path: "Targets/FuzzUPER", swiftSettings: fuzzFlags + [.enableExperimentalFeature("Extern")], linkerSettings: fuzzLink),
        .executableTarget(name: "FuzzJT808", dependencies: [.product(name: "JT808", package: "testzone")], path: "Targets/FuzzJT808", swiftSettings: fuzzFlags, linkerSettings: fuzzLink),
    ]
)
