/// JSON Schemas of the channels `export --foxglove` writes: Foxglove's well-known schemas
/// (`foxglove.LocationFix`, `foxglove.Log`, `foxglove.GeoJSON`, field for field as Foxglove and
/// Lichtblick define them, so their Map, Log and Raw Messages panels show them without plugins)
/// and TestZone's own for the decoded frames.
enum FoxgloveSchemas {
    /// A schema: its name (the Schema record's name, which Foxglove matches) and JSON Schema text.
    struct Schema: Hashable {
        var name: String
        var text: String
    }

    private static let time = """
        {"type":"object","title":"time","properties":{\
        "sec":{"type":"integer","minimum":0},\
        "nsec":{"type":"integer","minimum":0,"maximum":999999999}},\
        "required":["sec","nsec"]}
        """

    /// `foxglove.LocationFix`: a GNSS fix (Map panel).
    static let locationFix = Schema(
        name: "foxglove.LocationFix",
        text: """
            {"title":"foxglove.LocationFix",\
            "description":"A navigation satellite fix for any Global Navigation Satellite System",\
            "type":"object","properties":{\
            "timestamp":\(time),\
            "frame_id":{"type":"string","description":"Frame for the sensor."},\
            "latitude":{"type":"number","description":"Latitude in degrees"},\
            "longitude":{"type":"number","description":"Longitude in degrees"},\
            "altitude":{"type":"number","description":"Altitude in meters"},\
            "position_covariance":{"type":"array","items":{"type":"number"},"minItems":9,"maxItems":9,\
            "description":"Position covariance (m^2) defined relative to a tangential plane through the reported position. The components are East, North, and Up (ENU), in row-major order."},\
            "position_covariance_type":{"title":"foxglove.PositionCovarianceType",\
            "description":"Type of position covariance","oneOf":[\
            {"title":"UNKNOWN","const":0},{"title":"APPROXIMATED","const":1},\
            {"title":"DIAGONAL_KNOWN","const":2},{"title":"KNOWN","const":3}]}},\
            "required":["timestamp","frame_id","latitude","longitude","altitude","position_covariance","position_covariance_type"]}
            """)

    /// `foxglove.Log`: a log line (Log panel).
    static let log = Schema(
        name: "foxglove.Log",
        text: """
            {"title":"foxglove.Log","description":"A log message","type":"object","properties":{\
            "timestamp":\(time),\
            "level":{"title":"foxglove.LogLevel","description":"Log level","oneOf":[\
            {"title":"UNKNOWN","const":0},{"title":"DEBUG","const":1},{"title":"INFO","const":2},\
            {"title":"WARNING","const":3},{"title":"ERROR","const":4},{"title":"FATAL","const":5}]},\
            "message":{"type":"string","description":"Log message"},\
            "name":{"type":"string","description":"Process or node name"},\
            "file":{"type":"string","description":"Filename"},\
            "line":{"type":"integer","minimum":0,"description":"Line number in the file"}},\
            "required":["timestamp","level","message","name","file","line"]}
            """)

    /// `foxglove.GeoJSON`: a GeoJSON document as a string (Map panel).
    static let geoJSON = Schema(
        name: "foxglove.GeoJSON",
        text: """
            {"title":"foxglove.GeoJSON","description":"GeoJSON data for annotating maps","type":"object",\
            "properties":{"geojson":{"type":"string","description":"GeoJSON data encoded as a UTF-8 string"}},\
            "required":["geojson"]}
            """)

    /// A decoded C-V2X frame: the CSAE 53 set it decoded with and its JER (X.697 JSON).
    static let cv2xFrame = Schema(
        name: "testzone.CV2XFrame",
        text: """
            {"title":"testzone.CV2XFrame",\
            "description":"A CSAE 53 MessageFrame decoded from UPER, rendered as JER (X.697)",\
            "type":"object","properties":{\
            "schema":{"type":"string","enum":["csae53-2020","csae53-2019","csae53-2017"]},\
            "frame":{"type":"object","minProperties":1,"maxProperties":1,\
            "description":"The MessageFrame CHOICE: one key, the alternative (bsmFrame, mapFrame, ...)"}},\
            "required":["schema","frame"]}
            """)

    /// A decoded JT/T 808 packet (`JT808JSON`: header fields, then the body under its name).
    static let jt808Packet = Schema(
        name: "testzone.JT808Packet",
        text: """
            {"title":"testzone.JT808Packet",\
            "description":"A JT/T 808 packet decoded to JSON (see the README, JT/T 808 JSON)",\
            "type":"object","properties":{\
            "messageId":{"type":"string","pattern":"^0x[0-9A-Fa-f]{4}$"},\
            "terminal":{"type":"string"},\
            "serial":{"type":"integer","minimum":0,"maximum":65535}},\
            "required":["messageId","terminal","serial"]}
            """)
}
