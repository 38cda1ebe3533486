import ArgumentParser
import Foundation
import ZeroMQ

/// The `testzone` command: the root of the command tree.
@main
struct TestZone: AsyncParsableCommand {
    /// The software version, recorded in journals and printed in report footers.
    static let softwareVersion = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "testzone",
        abstract: "Telemetry processor for an intelligent-connected-vehicle test zone.",
        discussion: """
            Ingests C-V2X (CSAE 53 UPER) and JT/T 808-2019 road-test telemetry over ZeroMQ, \
            journals it to MCAP, and turns it into per-vehicle L3/L4 disengagement and coverage \
            metrics stored in SQLite.

            COMMANDS BY USER
              Operators:   ingest, serve, record, tap, keys, tokens
              Engineers:   replay, inspect, decode, export, clip, simulate, metrics
              Regulators:  report, metrics, audit

            CONVENTIONS
              --config zone.toml   the zone configuration, wherever one is read
              --db FILE            the TestZone database (SQLite)
              --map FILE...        recordings whose MAP frames give the road network
              --topic PREFIX       a topic filter (repeatable)
              --json               machine-readable output instead of a table
              --quiet              no progress or status line
              durations            30s, 5m, 1h, 1h30m, 250ms or plain seconds
              sizes                100MB, 1GB (decimal), 2GiB (binary) or bytes
              time zone            days, months and times are Asia/Shanghai (a zone.toml
                                   naming another time zone is read with a warning)

            EXIT STATUS
              0     success
              1     data problems found (undecodable frames, damaged recordings)
              2     usage or environment error (missing or unusable file, bad flag
                    value, locked or foreign database)
              130   interrupted
              Errors: testzone <command>: error: <what> (<path>): <why>

            Shell completions: `testzone --generate-completion-script bash` (or zsh, fish).
            """,
        version: "testzone \(softwareVersion) (libzmq \(LibraryVersion.current))",
        subcommands: [
            TapCommand.self,
            DecodeCommand.self,
            RecordCommand.self,
            ReplayCommand.self,
            InspectCommand.self,
            ExportCommand.self,
            ClipCommand.self,
            MetricsCommand.self,
            SimulateCommand.self,
            ReportCommand.self,
            IngestCommand.self,
            NodesCommand.self,
            KeysCommand.self,
            TokensCommand.self,
            AuditCommand.self,
            ServeCommand.self,
        ]
    )

    /// Like ArgumentParser's `main`, with TestZone's exit codes and error format: usage errors
    /// exit 2 (not 64), every error is one line `testzone <command>: error: ...`, and errors
    /// thrown by a command's `run` never reach the user in their raw (Foundation) form.
    static func main() async {
        unblockStopSignals()
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = handle(error, arguments: arguments)
            Foundation.exit(status)
        }
    }

    /// A process inherits its signal mask: one started from a thread that blocks signals (a
    /// Dispatch worker, e.g. a Swift test or any Swift program using `Process` from a task)
    /// would never see Ctrl-C, SIGTERM or SIGHUP. Unblock them on the main thread first.
    static func unblockStopSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Prints what `error` means and returns the exit status.
    static func handle(_ error: any Error, arguments: [String]) -> Int32 {
        let command = commandPath(arguments)
        if let exit = error as? ExitCode { return exit.rawValue == 64 ? 2 : exit.rawValue }
        if let failure = error as? CommandFailure {
            failure.report(command)
            return failure.exitCode
        }
        let code = exitCode(for: error)
        if code == .success {
            // --help, --version, completion scripts: ArgumentParser prints them to stdout.
            exit(withError: error)
        }
        let message = self.message(for: error)
        if message.isEmpty { return code.rawValue == 64 ? 2 : code.rawValue }
        if code == .validationFailure {
            // A usage error: the message, then the usage lines ArgumentParser adds.
            var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
            if let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase == true {
                text = first.lowercased() + text.dropFirst()
            }
            CommandFailure.printError(command, text)
            let extra = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
                .drop { !$0.hasPrefix("Usage:") && !$0.hasPrefix("Help:") }
                .filter { !$0.isEmpty }
            if !extra.isEmpty {
                FileHandle.standardError.write(Data((extra.joined(separator: "\n") + "\n").utf8))
            }
            return 2
        }
        // Any other error thrown by a command (or by its validate()): an environment error.
        // A failure thrown by validate() reaches here wrapped (ArgumentParser's internal
        // CommandError); its message is the failure's description.
        if String(describing: type(of: error)) == "CommandError", !message.contains("Error Domain=") {
            CommandFailure.printError(command, message)
        } else {
            CommandFailure.printError(
                command, CommandFailure.from(error, what: CommandFailure.kind(of: error)).description)
        }
        return 2
    }

    /// The subcommand names in `arguments` (`decode cv2x`, `report`), for the error prefix.
    static func commandPath(_ arguments: [String]) -> String {
        var names: [String] = []
        var current: any ParsableCommand.Type = TestZone.self
        for argument in arguments {
            guard !argument.hasPrefix("-") else { continue }
            guard
                let next = current.configuration.subcommands.first(where: {
                    $0._commandName == argument
                })
            else { break }
            names.append(argument)
            current = next
        }
        return names.joined(separator: " ")
    }
}
