// Entry point. SwiftPM links executables on Linux with `main` aliased to `<Target>_main`, so a
// fuzz target defines that symbol itself and hands control to libFuzzer's driver (which then
// calls LLVMFuzzerTestOneInput). Copy this file into a new target and rename the symbol.

@_extern(c, "LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzMessageFrame_main")
func fuzzMessageFrameMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return llvmFuzzerRunDriver(&argc, &argv, fuzzMessageFrame)
}
