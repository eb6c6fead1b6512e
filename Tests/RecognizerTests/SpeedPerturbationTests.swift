import Foundation
import Recognizer
import Testing

@Suite("Speed perturbation")
struct SpeedPerturbationTests {
    /// A 500 Hz tone, 0.5 amplitude, one second at 16 kHz.
    let tone = (0..<16_000).map { Float(0.5 * sin(2 * Double.pi * 500 * Double($0) / 16_000)) }

    /// Upward zero crossings per second in the middle of `samples` (away from the filter's edges).
    func frequency(of samples: [Float]) -> Double {
        let middle = Array(samples[2_000..<(samples.count - 2_000)])
        let crossings = zip(middle, middle.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        return Double(crossings) * 16_000 / Double(middle.count)
    }

    @Test("Playing faster shortens the clip and raises its pitch by the factor; slower does the reverse", arguments: [0.8, 0.9, 1.1, 1.25])
    func factor(_ factor: Double) throws {
        let played = try SpeedPerturbation.play(tone, atSpeed: factor)
        #expect(abs(Double(played.count) - 16_000 / factor) <= 2)
        #expect(abs(frequency(of: played) - 500 * factor) < 500 * 0.01)
    }

    @Test("Speed 1 leaves the samples as they are")
    func unchanged() throws {
        #expect(try SpeedPerturbation.play(tone, atSpeed: 1) == tone)
    }

    @Test("The share decides how many clips change; each drawn factor stays within 1 ± the largest change")
    func share() throws {
        var generator = SeededGenerator(seed: 7)
        let never = SpeedPerturbation(probability: 0, maximumChange: 0.1)
        #expect(try never.apply(to: tone, using: &generator) == nil)
        let always = SpeedPerturbation(probability: 1, maximumChange: 0.1)
        var half = SpeedPerturbation(probability: 0.5, maximumChange: 0.1)
        var changed = 0
        for _ in 0..<40 {
            let played = try #require(try always.apply(to: tone, using: &generator))
            #expect((14_540...17_780).contains(played.count))  // 16000 / 1.1 ... 16000 / 0.9
            if try half.apply(to: tone, using: &generator) != nil { changed += 1 }
        }
        #expect((10...30).contains(changed))
        half.probability = 1
        #expect(try half.apply(to: [], using: &generator) == nil)
    }
}
