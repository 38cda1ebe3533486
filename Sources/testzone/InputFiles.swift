import ArgumentParser
import Foundation

/// Checks of the input files a command names, done in `validate()` so that a missing file is
/// reported with the command's own usage line, before any output.
enum InputFiles {
    /// Throws for the first path (other than `-`, standard input) that is not a readable file.
    static func requireReadable(_ paths: [String]) throws {
        for path in paths where path != "-" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path): no such file")
            }
            if isDirectory.boolValue { throw ValidationError("\(path): is a directory, not a file") }
            if !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(path): not readable (permissions)")
            }
        }
    }
}
