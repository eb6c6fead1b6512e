import Features
import Foundation
import Recognizer
import Testing

@Suite("Loudness contour")
struct LoudnessContourTests {
    let contour = LoudnessContour(maximumGain: 6)

    @Test("The curve stays within ± the gain, moves smoothly, uses its range, and the same seed draws the same curve")
    func curve() {
        for seed in UInt64(1)...20 {
            var generator = SeededGenerator(seed: seed), again = SeededGenerator(seed: seed)
            let gains = contour.curve(frames: 150, frameSeconds: 0.02, using: &generator)
            #expect(gains == contour.curve(frames: 150, frameSeconds: 0.02, using: &again))
            #expect(gains.count == 150)
            #expect(gains.allSatisfy { abs($0) <= 6 })
            // Knots at least 4 frames apart: a half-cosine step of at most 12 dB changes by at
            // most 12 · π/8 dB from one frame to the next.
            for (a, b) in zip(gains, gains.dropFirst()) { #expect(abs(b - a) <= 12 * Double.pi / 8 + 1e-9) }
            #expect(gains.max()! - gains.min()! > 3)
        }
        var one = SeededGenerator(seed: 1), two = SeededGenerator(seed: 2)
        #expect(contour.curve(frames: 50, frameSeconds: 0.02, using: &one) != contour.curve(frames: 50, frameSeconds: 0.02, using: &two))
    }

    @Test("Every band of a frame gets that frame's gain")
    func apply() {
        var base = Matrix(rows: 40, columns: 8)
        for t in 0..<40 { for c in 0..<8 { base[t, c] = Float(t * 8 + c) / 10 - 20 } }
        var generator = SeededGenerator(seed: 5), again = SeededGenerator(seed: 5)
        let result = contour.apply(to: base, frameSeconds: 0.02, using: &generator)
        let gains = contour.curve(frames: 40, frameSeconds: 0.02, using: &again)
        for t in 0..<40 {
            for c in 0..<8 { #expect(abs(result[t, c] - base[t, c] - Float(gains[t])) < 1e-4) }
        }
    }

    @Test("The tilt curve adds minus its value at the bottom band and plus it at the top, linearly in between")
    func tilt() {
        let tilted = LoudnessContour(maximumGain: 0, maximumTilt: 4)
        let base = Matrix(rows: 30, columns: 5)
        var generator = SeededGenerator(seed: 11), again = SeededGenerator(seed: 11)
        let result = tilted.apply(to: base, frameSeconds: 0.02, using: &generator)
        let tilts = tilted.curve(frames: 30, frameSeconds: 0.02, maximum: 4, using: &again)
        #expect(tilts.allSatisfy { abs($0) <= 4 } && tilts.contains { abs($0) > 1 })
        for t in 0..<30 {
            for (c, slope) in [-1.0, -0.5, 0, 0.5, 1].enumerated() { #expect(abs(Double(result[t, c]) - tilts[t] * slope) < 1e-4) }
        }
    }

    @Test("A zero gain leaves the frames as they are and draws nothing")
    func zero() {
        var base = Matrix(rows: 10, columns: 4)
        base[3, 2] = -40
        var generator = SeededGenerator(seed: 9)
        #expect(LoudnessContour(maximumGain: 0).apply(to: base, frameSeconds: 0.02, using: &generator) == base)
        #expect(generator == SeededGenerator(seed: 9))
        #expect(contour.curve(frames: 0, frameSeconds: 0.02, using: &generator).isEmpty)
    }
}
