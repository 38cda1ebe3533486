import ArgumentParser
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
            KeysCommand.self,
            TokensCommand.self,
            AuditCommand.self,
            ServeCommand.self,
        ]
    )
}
