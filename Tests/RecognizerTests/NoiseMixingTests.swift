import Foundation
import Recognizer
import Testing

@Suite("Noise mixing")
struct NoiseMixingTests {
    /// A 440 Hz tone, 0.5 amplitude, 16 kHz.
    let tone = (0..<8_000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
    /// Deterministic "noise": a seeded uniform sequence, shorter than the tone so it wraps.
    let noise: [Float] = {
        var generator = SeededGenerator(seed: 3)
        return (0..<3_000).map { _ in Float.random(in: -1...1, using: &generator) }
    }()

    func decibels(signal: [Float], noisy: [Float]) -> Double {
        let added = zip(noisy, signal).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
        let clean = signal.map { Double($0) * Double($0) }.reduce(0, +)
        return 10 * log10(clean / added)
    }

    @Test("The noise is added at the asked signal-to-noise ratio, from the asked offset, wrapping around", arguments: [0.0, 5, 20, 30])
    func ratio(_ snr: Double) {
        let noisy = NoiseMixing.mix(tone, with: noise, offset: 2_500, signalToNoise: snr)
        #expect(noisy.count == tone.count)
        #expect(abs(decibels(signal: tone, noisy: noisy) - snr) < 1e-3)
        // The added part is the noise from sample 2500 on, then from its start again, one gain throughout.
        let gain = (noisy[0] - tone[0]) / noise[2_500]
        #expect(gain > 0)
        for i in [1, 499, 500, 501, 3_499, 7_999] {
            #expect(abs((noisy[i] - tone[i]) - gain * noise[(2_500 + i) % 3_000]) < 1e-5)
        }
    }

    @Test("Silence in either part leaves the clip as it is")
    func silence() {
        #expect(NoiseMixing.mix(tone, with: [Float](repeating: 0, count: 100), offset: 0, signalToNoise: 10) == tone)
        let quiet = [Float](repeating: 0, count: 100)
        #expect(NoiseMixing.mix(quiet, with: noise, offset: 0, signalToNoise: 10) == quiet)
    }

    @Test("Draws: the share of noisy clips follows the probability, SNRs stay in range, the same seed gives the same clips")
    func draws() {
        let mixing = NoiseMixing(noises: [noise, [], [Float](repeating: 0, count: 10)], probability: 0.5, signalToNoise: 5...30)
        #expect(mixing.noises.count == 1)
        var generator = SeededGenerator(seed: 7), again = SeededGenerator(seed: 7)
        let results = (0..<200).map { _ in mixing.apply(to: tone, using: &generator) }
        #expect(results == (0..<200).map { _ in mixing.apply(to: tone, using: &again) })
        let noisy = results.compactMap { $0 }
        #expect((70...130).contains(noisy.count))
        for clip in noisy { #expect((5 - 1e-3...30 + 1e-3).contains(decibels(signal: tone, noisy: clip))) }
        var never = SeededGenerator(seed: 7)
        let off = NoiseMixing(noises: [noise], probability: 0, signalToNoise: 5...30)
        #expect(off.apply(to: tone, using: &never) == nil && never == SeededGenerator(seed: 7))
    }
}
