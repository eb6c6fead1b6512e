import Audio
import Foundation
import TestSupport
import Testing

@Suite("SpeechActivity")
struct SpeechActivityTests {
    /// `seconds` of a 440 Hz tone at `level` dBFS (peak), then nothing.
    static func tone(_ seconds: Double, level: Double) -> [Float] {
        let amplitude = Float(pow(10, level / 20))
        return (0..<Int(seconds * 16_000)).map { amplitude * sin(2 * Float.pi * 440 * Float($0) / 16_000) }
    }

    static func silence(_ seconds: Double) -> [Float] { [Float](repeating: 0, count: Int(seconds * 16_000)) }

    @Test("Tone bursts in silence are found to the frame; a 20 ms click is dropped")
    func bursts() {
        let samples = Self.silence(0.2) + Self.tone(0.3, level: -20) + Self.silence(0.3) + Self.tone(0.02, level: -10)
            + Self.silence(0.2) + Self.tone(0.2, level: -30) + Self.silence(0.1)
        let spans = SpeechActivity.spans(in: samples, sampleRate: 16_000)
        #expect(spans.count == 2, "\(spans)")
        #expect(abs(spans[0].lowerBound - 0.2) < 1e-9 && abs(spans[0].upperBound - 0.5) < 1e-9)
        #expect(abs(spans[1].lowerBound - 1.02) < 1e-9 && abs(spans[1].upperBound - 1.22) < 1e-9)
    }

    @Test("Silence and steady noise hold no speech")
    func nothing() {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<16_000).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
        #expect(SpeechActivity.spans(in: Self.silence(1), sampleRate: 16_000).isEmpty)
        #expect(SpeechActivity.spans(in: noise, sampleRate: 16_000).isEmpty)
        #expect(SpeechActivity.spans(in: [], sampleRate: 16_000).isEmpty)
    }

    @Test("A spoken word moved later in its file is found that much later, in quiet noise too")
    func spokenWord() throws {
        let word = try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/go.wav").samples
        let alone = SpeechActivity.spans(in: word, sampleRate: 16_000)
        let moved = SpeechActivity.spans(in: Self.silence(0.5) + word + Self.silence(0.5), sampleRate: 16_000)
        #expect(!alone.isEmpty && alone.count == moved.count)
        #expect(zip(alone, moved).allSatisfy { abs($1.lowerBound - $0.lowerBound - 0.5) < 1e-9 && abs($1.upperBound - $0.upperBound - 0.5) < 1e-9 })
        var generator = SystemRandomNumberGenerator()
        let noisy = (Self.silence(0.5) + word + Self.silence(0.5)).map { $0 + Float.random(in: -0.003...0.003, using: &generator) }
        let heard = SpeechActivity.spans(in: noisy, sampleRate: 16_000)
        #expect(abs(heard.first!.lowerBound - moved.first!.lowerBound) <= 0.03 && abs(heard.last!.upperBound - moved.last!.upperBound) <= 0.05, "\(heard) against \(moved)")
    }

    @Test("Utterances: spans under 0.3 s apart join, a long run splits at its longest pause, margins stop halfway to a neighbour")
    func utterances() {
        let apart = SpeechActivity.utterances(of: [0.5..<0.8, 0.9..<1.1, 1.6..<1.9], duration: 2.0, longest: 1.2)
        #expect(apart.count == 2 && abs(apart[0].lowerBound - 0.3) < 1e-9 && abs(apart[0].upperBound - 1.3) < 1e-9, "\(apart)")
        #expect(apart.count == 2 && abs(apart[1].lowerBound - 1.4) < 1e-9 && abs(apart[1].upperBound - 2.0) < 1e-9, "\(apart)")
        let run = SpeechActivity.utterances(of: [0.0..<0.4, 0.45..<0.8, 0.9..<1.3, 1.35..<1.7], duration: 3.0, longest: 1.2)
        #expect(run.count == 2 && run[0].lowerBound == 0 && abs(run[0].upperBound - 0.85) < 1e-9, "\(run)")
        #expect(run.count == 2 && abs(run[1].lowerBound - 0.85) < 1e-9 && abs(run[1].upperBound - 1.9) < 1e-9, "\(run)")
        #expect(SpeechActivity.utterances(of: [0.1..<2.9], duration: 3.0, longest: 1.2) == [0.0..<3.0])
        #expect(SpeechActivity.utterances(of: [], duration: 3.0, longest: 1.2).isEmpty)
    }
}
