import Testing
import UPER

@Test func smoke() throws {
    var w = UPERWriter()
    try w.writeConstrainedInt(8, lower: 0, upper: 7, extensible: true)
    #expect(w.finish() == [0x80, 0x84, 0x00])
    var w2 = UPERWriter()
    try w2.writeKnownMultiplierString("12 3", .numeric, lower: 0, upper: 5, extensible: false)
    #expect(w2.finish() == [0x84, 0x60, 0x80])
    let v: Int64 = try UPERReader.withReader(bytes: [0x80, 0xff, 0x80]) { (r) throws(UPERError) in
        try r.readConstrainedInt(lower: 0, upper: 7, extensible: true)
    }
    #expect(v == -1)
    let s: String = try UPERReader.withReader(bytes: [0x02, 0x06, 0x40]) { (r) throws(UPERError) in
        try r.readKnownMultiplierString(PermittedAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), lower: 0, upper: nil, extensible: false)
    }
    #expect(s == "AZ")
}
