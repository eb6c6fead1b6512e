import FuzzSupport
import Audio

/// Arbitrary bytes as an audio file (WAV, FLAC, OGG, … through libsndfile): decoded or refused
/// with an error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? AudioDecoder.decode(bytes: Array(UnsafeBufferPointer(start: data, count: size)), name: "fuzz")
    return 0
}

@_cdecl("FuzzAudioDecoder_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzSupport.fuzz(argc, argv, fuzz)  // SwiftPM's entry point for this target, handed to libFuzzer
}
