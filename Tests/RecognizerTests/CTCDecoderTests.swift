import Features
import Foundation
import Recognizer
import Testing

@Suite("CTC greedy and beam search decoding")
struct CTCDecoderTests {
    let alphabet = Alphabet.english

    @Test("Repeats collapse; a blank between repeated letters keeps both", arguments: [
        ("hheelll_lloo", "hello"), ("ll", "l"), ("l_l", "ll"), ("_a_a_", "aa"), ("____", ""), ("", ""),
        ("yyes|_nno", "yes no"),
    ])
    func greedy(frames: String, text: String) {
        let path = CTCGreedyDecoder.decode(script(frames))
        #expect(alphabet.decode(path.labels) == text)
    }

    @Test("Ties go to the lower class, so the blank wins a tie with a letter")
    func ties() {
        let half = Float(log(0.5))
        var values = [Float](repeating: -.infinity, count: 2 * 29)
        values[0] = half; values[alphabet.index(of: "a")!] = half
        values[29 + alphabet.index(of: "b")!] = half; values[29 + alphabet.index(of: "a")!] = half
        let path = CTCGreedyDecoder.decode(Matrix(rows: 2, columns: 29, values: values))
        #expect(alphabet.decode(path.labels) == "a")
        #expect(path.frames == [1])
    }

    @Test("Emission frames become word times in seconds")
    func timestamps() {
        let m = script("__go___|__left_")
        let words = CTCGreedyDecoder.decode(m).words(alphabet: alphabet, logProbabilities: m, timing: timing(frames: 15))
        #expect(words.map(\.word) == ["go", "left"])
        // Frame t's slot is [0.01 t + 0.011, 0.01 t + 0.021].
        #expect(abs(words[0].start - 0.031) < 1e-9 && abs(words[0].end - 0.051) < 1e-9)
        #expect(abs(words[1].start - 0.111) < 1e-9 && abs(words[1].end - 0.151) < 1e-9)
        #expect(words.allSatisfy { abs($0.confidence - 0.9) < 1e-4 })
    }

    @Test("With a time reduction, an output frame's slot is centred on its group of feature frames")
    func reducedTimestamps() {
        let timing = FrameTiming(features: FeatureConfiguration(), timeReduction: 2, duration: 1)
        // Output frame 3 averages feature frames 6 and 7, whose 512-sample windows centre at 0.076 s and 0.086 s.
        #expect(abs(timing.start(3) - 0.071) < 1e-9 && abs(timing.end(3) - 0.091) < 1e-9)
    }

    @Test("Edge padding moves every slot back by the padding, so times count from the input's first sample")
    func paddedTimestamps() {
        var padded = FeatureConfiguration()
        padded.edgePadding = 0.1
        let plain = FrameTiming(features: FeatureConfiguration(), timeReduction: 2, duration: 2)
        let timing = FrameTiming(features: padded, timeReduction: 2, duration: 2)
        #expect(abs(timing.start(30) - (plain.start(30) - 0.1)) < 1e-9 && abs(timing.end(30) - (plain.end(30) - 0.1)) < 1e-9)
        #expect(timing.start(0) == 0 && timing.end(0) == 0, "a slot inside the padding before the input is clamped to its start")
    }

    @Test("Beam search of width 1 equals greedy decoding", arguments: 0..<20)
    func beamWidthOne(seed: Int) {
        var generator = SeededGenerator(seed: UInt64(seed))
        let letters = "_____abcz|'"
        let frames = String((0..<40).map { _ in letters.randomElement(using: &generator)! })
        let m = script(frames, peak: Float.random(in: 0.55...0.95, using: &generator))
        #expect(CTCBeamSearchDecoder(beamWidth: 1).decode(m).labels == CTCGreedyDecoder.decode(m).labels)
    }

    @Test("Beam search sums alignments: it finds 'a' where the best single path is empty")
    func beamSumsPaths() {
        // Each frame: blank 0.6, 'a' 0.4. Best path "__" (0.36); but P("a") = 0.16 + 0.24 + 0.24 = 0.64.
        let a = alphabet.index(of: "a")!
        var values = [Float](repeating: log(Float(1e-9)), count: 2 * 29)
        for t in 0..<2 { values[t * 29] = log(0.6); values[t * 29 + a] = log(0.4) }
        let m = Matrix(rows: 2, columns: 29, values: values)
        #expect(CTCGreedyDecoder.decode(m).labels.isEmpty)
        let beam = CTCBeamSearchDecoder(beamWidth: 4).decode(m)
        #expect(alphabet.decode(beam.labels) == "a")
        #expect(abs(exp(beam.score) - 0.64) < 1e-3)
    }

    @Test("Beam search keeps repeated letters apart only across a blank")
    func beamRepeats() {
        #expect(alphabet.decode(CTCBeamSearchDecoder(beamWidth: 8).decode(script("hheelll_lloo")).labels) == "hello")
        #expect(CTCBeamSearchDecoder(beamWidth: 8).decode(Matrix(rows: 0, columns: 29)).labels.isEmpty)
    }
}
