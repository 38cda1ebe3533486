/// How the additional-information items of a location report are decoded.
///
/// Which item ids carry the ICV automation items (DESIGN.md 4: 0xE1 state, 0xE2 event) is a
/// convention of each operator's terminals, since 0xE0-0xFF is the vendor range (some GPS
/// trackers put a base-station or firmware item there). With ``keepsMalformedItems`` an item
/// whose length or value does not parse is kept raw in ``LocationReport/malformedItems`` and the
/// rest of the report (the position) is still decoded, instead of the whole report failing.
public struct ItemDecoding: Sendable, Hashable {
    /// The id of the automation-state item (DESIGN.md 4: 0xE1).
    public var automationStateID: UInt8
    /// The id of the automation-event item (DESIGN.md 4: 0xE2).
    public var automationEventID: UInt8
    /// Keep malformed items raw instead of failing the report.
    public var keepsMalformedItems: Bool

    /// Creates a decoding convention.
    public init(
        automationStateID: UInt8 = 0xE1, automationEventID: UInt8 = 0xE2, keepsMalformedItems: Bool = false
    ) {
        self.automationStateID = automationStateID
        self.automationEventID = automationEventID
        self.keepsMalformedItems = keepsMalformedItems
    }

    /// DESIGN.md 4 ids, strict: a malformed item fails the report (the codec's default).
    public static let strict = ItemDecoding()
    /// DESIGN.md 4 ids, malformed items kept raw (what the pipeline uses).
    public static let lenient = ItemDecoding(keepsMalformedItems: true)
}
