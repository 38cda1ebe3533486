import Foundation

/// The path of `relative` (e.g. `Replays/demo/demo.mcap`, `README.md`) in this repository.
public func repositoryFile(_ relative: String) -> String {
    // This file is Tests/TestZoneTestSupport/RepositoryFile.swift: three levels below the root.
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(relative).path
}
