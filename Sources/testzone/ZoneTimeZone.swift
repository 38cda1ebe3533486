import Foundation
import Zone

/// `zone.time_zone` and the time zone TestZone counts in.
///
/// Days and months are Asia/Shanghai calendar periods (DESIGN.md section 5): the database keeps
/// `day` and `month` columns of that calendar, reports and the console print +08:00 times, and
/// the report periods are Asia/Shanghai days. A zone.toml naming another (valid) time zone is
/// read, but that time zone is not used anywhere; every command that reads such a file says so
/// once, on standard error, instead of ignoring it silently.
enum ZoneTimeZone {
    /// The time zone of every day, month and printed time.
    static let used = "Asia/Shanghai"

    /// The warning for `zone` read from `path`, or `nil` when its time zone is the one used.
    static func warning(_ zone: ZoneConfiguration, path: String) -> String? {
        guard zone.timeZone != used else { return nil }
        return "zone.time_zone is \"\(zone.timeZone)\" (\(path)): TestZone counts days and months "
            + "and prints times in \(used) (+08:00) whatever zone.toml says; \"\(zone.timeZone)\" is not used"
    }

    /// Prints the warning of ``warning(_:path:)`` for `command`, if there is one.
    static func check(_ zone: ZoneConfiguration, path: String, command: String) {
        if let text = warning(zone, path: path) { CommandFailure.printWarning(command, text) }
    }

    /// For a command that hands the path to a library which reads it: reads the file once more
    /// just for this check. A file that does not load is left to the library to report.
    static func check(path: String?, command: String) {
        guard let path, let zone = try? ZoneConfiguration.load(contentsOf: URL(fileURLWithPath: path)) else {
            return
        }
        check(zone, path: path, command: command)
    }
}
