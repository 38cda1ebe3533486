import ArgumentParser
import Foundation
import GRDB
import Recording
import Reports
import Server
import Store
import ZeroMQ
import Zone

/// The one error format of every command (README, "Exit codes and errors"):
///
///     testzone <command>: error: <what> (<path>): <why>
///
/// with the path part only when there is one, and a hint after "; " where one helps. Exit
/// status 2 unless said otherwise (usage and environment errors).
struct CommandFailure: Error, CustomStringConvertible {
    var what: String
    var path: String?
    var why: String?
    var exitCode: Int32 = 2

    init(_ what: String, _ path: String? = nil, _ why: String? = nil, exitCode: Int32 = 2) {
        self.what = what
        self.path = path
        self.why = why
        self.exitCode = exitCode
    }

    /// `<what> (<path>): <why>`: the part after `testzone <command>: error: `.
    var description: String {
        var text = what
        if let path { text += " (\(path))" }
        if let why, !why.isEmpty { text += ": \(why)" }
        return text
    }

    /// Prints the failure on standard error for `command` and returns its exit code to throw.
    @discardableResult
    func report(_ command: String) -> ExitCode {
        CommandFailure.printError(command, description)
        return ExitCode(exitCode)
    }

    /// Prints `testzone <command>: error: <text>` (one line: newlines become "; ").
    static func printError(_ command: String, _ text: String) {
        let oneLine = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        FileHandle.standardError.write(Data("testzone \(command): error: \(oneLine)\n".utf8))
    }

    /// Prints `testzone <command>: warning: <text>`.
    static func printWarning(_ command: String, _ text: String) {
        FileHandle.standardError.write(Data("testzone \(command): warning: \(text)\n".utf8))
    }

    /// Prints the deprecation note of a hidden old spelling (once per run and spelling).
    static func deprecated(_ command: String, _ old: String, use new: String) {
        printWarning(command, "\(old) is deprecated, use \(new)")
    }

    /// `error` as a failure of the given kind: the path and the reason taken out of TestZone's
    /// own errors, Foundation's and SQLite's, never their raw description.
    static func from(_ error: any Error, what: String, path: String? = nil) -> CommandFailure {
        if let failure = error as? CommandFailure { return failure }
        let (foundPath, why) = explain(error)
        return CommandFailure(what, path ?? foundPath, why == what ? nil : why)
    }

    /// What failed, by the kind of error (for errors no command caught itself).
    static func kind(of error: any Error) -> String {
        switch error {
        case is ZoneConfigurationError: return "cannot read the zone configuration"
        case is ZoneStoreError, is DatabaseError: return "cannot use the database"
        case is MCAPError, is JournalFiles.NotFound: return "cannot read the recording"
        case is ReportError: return "cannot write the report"
        case is ZeroMQError: return "ZeroMQ"
        default: return "failed"
        }
    }

    /// The path (if the error names one) and a plain reason.
    static func explain(_ error: any Error) -> (path: String?, why: String) {
        switch error {
        case let error as CommandFailure:
            return (error.path, error.why ?? error.what)
        case let error as ZoneConfigurationError:
            var why = ""
            if let line = error.line { why += "line \(line): " }
            if let field = error.field { why += "\(field): " }
            return (error.file, why + error.message)
        case let error as ConsoleTokensError:
            return (error.file, error.message)
        case let error as ZoneStoreError:
            return (error.path, error.reason)
        case let error as JournalFiles.NotFound:
            return (error.path, error.reason)
        case let error as MCAPError:
            switch error {
            case .io(let path, let operation, let reason):
                return (path, "\(operation) failed: \(plainIOReason(reason, path: path))")
            case .notMCAP(let path):
                return (path, "not an MCAP file (magic bytes missing)")
            default:
                return (nil, error.description)
            }
        case let error as DatabaseError:
            return (nil, sqliteReason(error))
        case let error as ReportError:
            switch error {
            case .databaseUnavailable(let path, let reason): return (path, reason)
            case .missingSchema(let path, let tables):
                return (path, "not a TestZone database (tables missing: \(tables.joined(separator: ", ")))")
            case .emptyDatabase(let path):
                return (path, "holds no runs: nothing has been ingested yet, so there is nothing to report")
            case .writeFailed(let path, let reason): return (path, reason)
            case .zoneUnavailable(let path, let reason): return (path, reason)
            case .mapUnavailable(let path, let reason): return (path, reason)
            default: return (nil, error.description)
            }
        case let error as CocoaError:
            let path =
                (error.userInfo[NSFilePathErrorKey] as? String)
                ?? (error.userInfo[NSURLErrorKey] as? URL)?.path
            return (path, cocoaReason(error))
        case let error as POSIXError:
            return (nil, String(cString: strerror(error.code.rawValue)))
        default:
            let ns = error as NSError
            if ns.domain == NSCocoaErrorDomain {
                return explain(CocoaError(CocoaError.Code(rawValue: ns.code), userInfo: ns.userInfo))
            }
            if ns.domain == NSPOSIXErrorDomain {
                return (ns.userInfo[NSFilePathErrorKey] as? String, String(cString: strerror(Int32(ns.code))))
            }
            let text = "\(error)"
            if text.contains("Error Domain=") {
                return (nil, ns.localizedFailureReason ?? "operation failed")
            }
            return (nil, text)
        }
    }

    private static func cocoaReason(_ error: CocoaError) -> String {
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteFileExists: return "file exists"
        case .fileReadCorruptFile: return "the file is damaged or not in the expected format"
        case .fileReadInapplicableStringEncoding: return "not UTF-8 text"
        case .fileReadTooLarge: return "the file is too large"
        default:
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
                underlying.domain == NSPOSIXErrorDomain
            {
                return String(cString: strerror(Int32(underlying.code)))
            }
            return "file operation failed (code \(error.code.rawValue))"
        }
    }

    /// `mmap failed: No such device` on a directory says nothing; name the real reason.
    private static func plainIOReason(_ reason: String, path: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "is a directory, not a file"
        }
        return reason
    }

    private static func sqliteReason(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB: return "not an SQLite database"
        case .SQLITE_CANTOPEN: return "cannot open the database file"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "the database is locked by another process"
        case .SQLITE_READONLY: return "the database is read-only"
        case .SQLITE_CORRUPT: return "the database file is damaged"
        case .SQLITE_FULL: return "no space left on the device"
        default: return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
    }
}

/// Checks of the files a command is given, done in `validate()` so that nothing is written
/// and no output starts before a missing or unusable file is reported.
enum InputFiles {
    /// What a path is expected to be.
    enum Kind {
        /// A regular file (or `-`, standard input, when `allowStandardInput`).
        case file
        /// A file or a directory (journal folders).
        case fileOrDirectory
    }

    /// Throws a ``CommandFailure`` (`what (path): why`) for the first path that is missing,
    /// a directory where a file is needed, or not readable.
    static func require(
        _ paths: [String], _ what: String, kind: Kind = .file, allowStandardInput: Bool = false
    ) throws {
        for path in paths {
            if allowStandardInput && path == "-" { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure(what, path, "no such file")
            }
            if isDirectory.boolValue {
                if case .fileOrDirectory = kind { continue }
                throw CommandFailure(what, path, "is a directory, not a file")
            }
            if !FileManager.default.isReadableFile(atPath: path) {
                throw CommandFailure(what, path, "permission denied")
            }
        }
    }

    /// `require` for an optional path.
    static func require(_ path: String?, _ what: String, kind: Kind = .file) throws {
        if let path { try require([path], what, kind: kind) }
    }

    /// Throws when the directory that would hold `path` (a file to write) does not exist, or
    /// `path` is a directory.
    static func requireWritable(_ path: String?, _ what: String) throws {
        guard let path, path != "-" else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandFailure(what, path, "is a directory, not a file")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory)
            || !isDirectory.boolValue
        {
            throw CommandFailure(what, path, "no such directory \(parent)")
        }
    }
}

/// The options typed on the command line, for the warning about an option that has no effect in
/// the mode chosen (issue 21: a warning, not silence). ArgumentParser fills in defaults without
/// telling whether a value was given, so the words of the command line are looked at.
enum GivenOptions {
    /// Whether `flag` (`--wait`) was typed, as `--wait VALUE` or `--wait=VALUE`.
    static func contains(_ flag: String, in arguments: [String] = CommandLine.arguments) -> Bool {
        // Everything after a lone `--` is an argument, not an option.
        let options = arguments.dropFirst().prefix { $0 != "--" }
        return options.contains { $0 == flag || $0.hasPrefix(flag + "=") }
    }

    /// Prints one warning `<flags> has/have no effect <reason>` for the flags among `flags` that
    /// were typed; nothing when none was.
    static func warnIgnored(_ command: String, _ flags: [String], _ reason: String) {
        let typed = flags.filter { contains($0) }
        guard !typed.isEmpty else { return }
        let names =
            typed.count == 1
            ? typed[0] : typed.dropLast().joined(separator: ", ") + " and " + typed[typed.count - 1]
        CommandFailure.printWarning(
            command, "\(names) \(typed.count == 1 ? "has" : "have") no effect \(reason)")
    }
}
