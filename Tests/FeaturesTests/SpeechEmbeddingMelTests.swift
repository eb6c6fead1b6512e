import Features
import Foundation
import TestSupport
import Testing

/// openWakeWord's mel front end against its own `melspectrogram.tflite`
/// (`Tests/Fixtures/speech-embedding`, made by `scripts/make-speech-embedding-fixtures.py`).
@Suite("Speech-embedding mel frames")
struct SpeechEmbeddingMelTests {
    @Test("Examples/go_left.wav: every frame within 1e-4 of melspectrogram.tflite")
    func matchesReference() throws {
        let samples = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/samples.txt")).values
        let reference = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/mels.txt"))
        let extractor = try FeatureExtractor(configuration: .speechEmbedding(edgePadding: nil))
        let frames = extractor.baseFrames(samples)
        #expect(frames.rows == reference.rows && frames.columns == 32)
        #expect(Fixtures.relativeError(frames.values, reference.values) <= 1e-4)
    }

    @Test("Each group of 8 frames is floored 80 dB (8 after scaling) below its loudest value")
    func groupFloor() throws {
        var samples = [Float](repeating: 0, count: 16_000)
        for n in 0..<600 { samples[n] = 0.5 * sin(Float(n) * 0.3) }  // a tone in the first frames only
        let frames = try FeatureExtractor(configuration: .speechEmbedding(edgePadding: nil)).baseFrames(samples)
        let first = frames.values[0..<(8 * 32)], second = frames.values[(8 * 32)..<(16 * 32)]
        #expect(abs(first.min()! - (first.max()! - 8)) < 1e-4)  // digital silence after the tone sits on the floor
        #expect(second.allSatisfy { abs($0 - (-100 / 10 + 2)) < 1e-4 })  // all silence: -100 dB, no floor above it
    }

    @Test("The front end refuses deltas and other steps")
    func validation() {
        var configuration = FeatureConfiguration.speechEmbedding()
        configuration.includesDeltas = true
        #expect(throws: FeatureError.self) { try configuration.validate() }
        configuration = .speechEmbedding(step: 5)
        #expect(throws: FeatureError.self) { try configuration.validate() }
        #expect(throws: FeatureError.self) { try StreamingFeatureExtractor(configuration: .speechEmbedding()) }
    }
}
