import ArgumentParser
import Foundation
import Server

/// `--tokens FILE` of the commands that serve the console (`ingest --http`, `serve`).
struct ConsoleTokensOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Require a bearer token with a role for the console (a file made by `testzone tokens add`).",
            discussion: """
                Without it the console is open: anyone who reaches the port reads every operator's \
                data (a warning is logged). SIGHUP reloads the file.
                """,
            valueName: "file"))
    var tokens: String?

    /// The console's access rules; a tokens file that does not load ends the command (exit 2).
    func access(command: String) throws -> ConsoleAccess {
        guard let tokens else { return .open() }
        do {
            return try ConsoleAccess(tokensFile: tokens)
        } catch {
            throw CommandFailure.from(error, what: "cannot read the tokens file", path: tokens).report(
                command)
        }
    }
}
