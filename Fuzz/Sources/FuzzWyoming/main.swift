import FuzzSupport
import Recognizer

/// Arbitrary bytes as what a Wyoming client sends: every event read is handled by a session
/// with a small model; the stream ends in events or an error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var reader = WyomingReader { buffer, count in
        let taken = min(count, bytes.count)
        buffer += bytes.prefix(taken)
        bytes.removeFirst(taken)
        return taken
    }
    while let event = try? reader.next() {
        _ = try? Session.shared.handle(event)
    }
    return 0
}

/// One session over the log-mel test model (read once).
enum Session {
    nonisolated(unsafe) static let shared: WyomingSession = {
        let model = try! ModelFile.read(#filePath.replacingOccurrences(of: "Fuzz/Sources/FuzzWyoming/main.swift", with: "Tests/Fixtures/log-mel.lstn"))
        let offer = WyomingSession.Offer(vocabulary: try! Vocabulary(["yes", "no", "go left"]), wakeWords: ["stop"],
                                         modelName: "fuzz", version: "0", longestAudio: 5)
        return try! WyomingSession(model: model, offer: offer)
    }()
}

@_cdecl("FuzzWyoming_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzSupport.fuzz(argc, argv, fuzz)  // SwiftPM's entry point for this target, handed to libFuzzer
}
