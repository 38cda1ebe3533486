// libFuzzer target for the JT/T 808 framer and body decoders.
//
// Each input is used three ways: as unescaped packet content (header + body) for the decoder, as a
// byte stream for the framer (split into two chunks at a point chosen by the first byte), and as a
// location report body. Every packet that decodes is re-encoded and decoded again; the result must
// be equal, and the in-place view must agree with the general decoder. A mismatch traps (that is
// the finding this harness exists to report).

import JT808

// SwiftPM links an executable target with `main` defined as `<Target>_main`; with
// `-parse-as-library` there is no such function, so provide it and hand over to libFuzzer's driver
// (libFuzzer's own `main` is then not linked in).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzJT808_main")
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
        guard let data else { return 0 }
        return fuzzJT808(data, size)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJT808(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    checkContent(input)
    _ = try? LocationReport(decoding: input)

    var framer = JT808Framer(maximumPacketLength: 600)
    var assembler = JT808SubPackageAssembler(maximumPendingMessages: 4)
    let split = size == 0 ? 0 : Int(input[0]) % (size + 1)
    let handle: (JT808FramerEvent) -> Void = { event in
        guard case .packet(let content, _) = event else { return }
        checkContent(content)
        if let packet = try? JT808Packet(decoding: content) { _ = try? assembler.add(packet) }
    }
    framer.append(UnsafeRawBufferPointer(rebasing: input[..<split]), handle)
    framer.append(UnsafeRawBufferPointer(rebasing: input[split...]), handle)
    framer.finish(handle)
    return 0
}

/// Decodes unescaped content; on success checks the re-encoding round trip and the view path.
private func checkContent(_ content: UnsafeRawBufferPointer) {
    let packet: JT808Packet
    do {
        packet = try JT808Packet(decoding: content)
    } catch {
        _ = error.description
        return
    }
    _ = JT808JSON.render(packet)

    let view: JT808PacketView
    do {
        view = try JT808PacketView(content: content)
    } catch {
        fatalError("view rejects what the packet decoder accepted: \(error)")
    }
    if view.isLocationReport {
        guard case .locationReport(let report) = packet.body, (try? view.decodeLocationReport()) == report
        else {
            fatalError("view and packet decoder disagree on a location report")
        }
    }

    let wire: [UInt8]
    do {
        wire = try packet.encoded()
    } catch {
        fatalError("a decoded packet does not re-encode: \(error)")
    }
    guard let again = try? JT808Packet(framed: wire) else {
        fatalError("a re-encoded packet does not decode: \(wire)")
    }
    guard again == packet else {
        fatalError("round trip changed the packet:\n\(packet)\n\(again)")
    }
}
