import Audio
import Foundation
import Testing

@Suite("Endpointer")
struct EndpointerTests {
    /// Low noise with bursts of a loud tone at the given (start, end) seconds.
    static func signal(seconds: Double, bursts: [(Double, Double)]) -> [Float] {
        var generator = SystemRandomNumberGenerator()
        return (0..<Int(seconds * 16_000)).map { i in
            let t = Double(i) / 16_000
            let noise = Float.random(in: -0.001...0.001, using: &generator)
            return bursts.contains { t >= $0.0 && t < $0.1 } ? noise + 0.3 * Float(sin(2 * Double.pi * 440 * t)) : noise
        }
    }

    @Test("Two bursts become two utterances with pre-roll, in any chunking")
    func twoUtterances() {
        let samples = Self.signal(seconds: 3, bursts: [(0.5, 0.9), (1.8, 2.2)])
        for chunk in [160, 320, 777, 48_000] {
            var endpointer = Endpointer()
            var utterances: [Endpointer.Utterance] = []
            for start in stride(from: 0, to: samples.count, by: chunk) {
                utterances += endpointer.push(Array(samples[start..<min(samples.count, start + chunk)]))
            }
            if let last = endpointer.flush() { utterances.append(last) }
            #expect(utterances.count == 2, "chunk \(chunk)")
            guard utterances.count == 2 else { continue }
            #expect(abs(utterances[0].start - 0.3) < 0.02 && abs(utterances[1].start - 1.6) < 0.02)
            // Each ends 0.12 s of quiet after its burst.
            #expect(abs(utterances[0].end - 1.02) < 0.03 && abs(utterances[1].end - 2.32) < 0.03)
        }
    }

    @Test("Steady noise, clicks and silence give nothing; speech cut off by the end is flushed")
    func nothingAndFlush() {
        var quiet = Endpointer()
        #expect(quiet.push(Self.signal(seconds: 2, bursts: [(1.0, 1.03)])).isEmpty)
        #expect(quiet.flush() == nil)
        var cut = Endpointer()
        #expect(cut.push(Self.signal(seconds: 1, bursts: [(0.6, 1.0)])).isEmpty)
        #expect(cut.isInUtterance)
        let flushed = cut.flush()
        #expect(flushed != nil && abs((flushed?.start ?? 0) - 0.4) < 0.02)
    }
}
