import Foundation
import Testing

/// The scratch PostgreSQL server of the tests that need one (issue 20).
///
/// `make test` runs the tests through `Tools/postgres/with-postgres.sh`, which starts a server on
/// 127.0.0.1 and exports `TESTZONE_POSTGRES_URL`; `swift test` alone runs without it, and those
/// tests are then skipped with ``skipMessage``. Under CI (`CI` set) they are never skipped: a
/// missing server fails them (``requireURL()``), so a broken install step cannot hide.
public enum PostgresTestServer {
    /// `TESTZONE_POSTGRES_URL`, e.g. `postgres://testzone@127.0.0.1:5433/testzone`.
    public static let url: String? = {
        let value = ProcessInfo.processInfo.environment["TESTZONE_POSTGRES_URL"] ?? ""
        return value.isEmpty ? nil : value
    }()

    /// Whether the tests must run (CI): then a missing server is a failure, not a skip.
    public static let isRequired: Bool = {
        let value = ProcessInfo.processInfo.environment["CI"] ?? ""
        return !value.isEmpty && value != "false" && value != "0"
    }()

    /// Whether the PostgreSQL tests run: a server is given, or CI requires them.
    public static var isEnabled: Bool { url != nil || isRequired }

    /// Why they are skipped.
    public static let skipMessage: Comment =
        "needs PostgreSQL: run `make test` (Tools/postgres/with-postgres.sh starts one) or set TESTZONE_POSTGRES_URL"

    /// The server's URL; records a failure and throws when there is none (only reached under CI).
    public static func requireURL() throws -> String {
        guard let url else {
            Issue.record(
                "CI requires PostgreSQL but TESTZONE_POSTGRES_URL is not set (Tools/postgres/start.sh failed?)"
            )
            throw CancellationError()
        }
        return url
    }
}
