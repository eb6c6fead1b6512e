import Audio
import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Live recognizer")
struct LiveRecognizerTests {
    static func samples(_ example: String) throws -> [Float] {
        try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/\(example).wav").samples
    }

    @Test("Capture events in chunks become utterances timed on the capture's clock; a drop flushes the utterance in progress")
    func utterances() async throws {
        let silence = [Float](repeating: 0, count: 16_000)
        // "yes" after 1 s of silence, 1 s of silence, "stop" cut off by a disconnection, then "no" after reconnecting.
        let first = silence + (try Self.samples("yes")) + silence, second = try Self.samples("stop")
        let third = silence + (try Self.samples("no")) + silence
        let (source, feed) = AsyncThrowingStream<CaptureEvent, any Error>.makeStream()
        feed.yield(.connected(source: "test"))
        let recorded = first + second
        for start in stride(from: 0, to: recorded.count, by: 320) {
            feed.yield(.samples(Array(recorded[start..<min(recorded.count, start + 320)])))
        }
        feed.yield(.disconnected(reason: "gone", retryIn: 1))
        feed.yield(.connected(source: "test"))
        feed.yield(.samples(third))
        feed.finish()
        let model = try ModelFile.bundled()
        let live = LiveRecognizer(recognizer: try Recognizer(model: model, decoding: .vocabulary(try Vocabulary(model.defaultVocabulary))))
        var texts: [String] = [], starts: [Double] = [], notices: [String] = []
        for try await event in live.events(from: source) {
            switch event {
            case .utterance(let transcript) where !transcript.text.isEmpty:
                texts.append(transcript.text)
                starts.append(transcript.words.first { !$0.isUnknown }!.start)
            case .utterance: break
            case .connected(let name): notices.append("connected \(name)")
            case .disconnected(let reason, _): notices.append(reason)
            }
        }
        #expect(texts == ["yes", "stop", "no"])
        #expect(notices == ["connected test", "gone", "connected test"])
        let yes = Double(silence.count) / 16_000, stop = Double(first.count) / 16_000
        #expect(starts[0] >= yes - 0.1 && starts[0] < yes + 0.8, "\(starts)")
        #expect(starts[1] >= stop - 0.1 && starts[1] < stop + 0.8, "the second utterance is timed after the first: \(starts)")
        #expect(starts[2] >= stop + Double(second.count) / 16_000, "after the drop the clock goes on: \(starts)")
    }
}
