import FuzzSupport
import Foundation
import Recognizer

/// Arbitrary bytes as a hooks file: parsed or refused with an error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? HookConfiguration.parse(Data(bytes: data, count: size), name: "fuzz")
    return 0
}

@_cdecl("FuzzHooks_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzSupport.fuzz(argc, argv, fuzz)  // SwiftPM's entry point for this target, handed to libFuzzer
}
