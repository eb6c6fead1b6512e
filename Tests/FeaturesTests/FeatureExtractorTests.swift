import Audio
import Features
import Foundation
import TestSupport
import Testing

@Suite("FeatureExtractor against the librosa fixtures", .enabled(if: Fixtures.has("reference/mfcc"), "needs ../shared/reference/mfcc"))
struct FeatureExtractorTests {
    static let signals = ["sine440_1234", "noise_seed1234", "chirp100_7000", "speech_yes"]

    @Test("MFCC and log-mel match librosa within 1e-4 of max|ref|", arguments: signals, [FeatureConfiguration.Kind.mfcc, .logMel])
    func matchesReference(signal: String, kind: FeatureConfiguration.Kind) throws {
        let audio = try AudioDecoder.decode(file: Fixtures.path("reference/mfcc/\(signal).wav"))
        let extractor = try FeatureExtractor(configuration: FeatureConfiguration(kind: kind))
        let frames = extractor.extract(audio.samples)
        let reference = try Fixtures.matrix("reference/mfcc/\(signal).\(kind.rawValue).txt")
        #expect(frames.rows == reference.rows && frames.columns == reference.columns)
        #expect(Fixtures.relativeError(frames.values, reference.values) <= 1e-4)
    }

    @Test("The mel filterbank equals librosa's 40x257 Slaney matrix")
    func filterbank() throws {
        let dense = MelFilterbank(configuration: FeatureConfiguration()).dense
        let reference = try Fixtures.matrix("reference/mfcc/melbank_40x257.txt")
        #expect(dense.rows == 40 && dense.columns == 257)
        #expect(Fixtures.relativeError(dense.values, reference.values) <= 1e-4)
    }

    @Test("The window is scipy's periodic Hamming window")
    func window() throws {
        let extractor = try FeatureExtractor()
        let reference = try Fixtures.matrix("reference/mfcc/hamming_periodic_400.txt")
        #expect(Fixtures.relativeError(extractor.window, reference.values) <= 1e-6)
    }
}

@Suite("FeatureExtractor options")
struct FeatureOptionTests {
    /// A deterministic test signal: a tone sweeping up plus a little noise.
    static let signal: [Float] = (0..<16_000).map { n in
        let t = Float(n) / 16_000
        return 0.3 * sin(2 * .pi * (200 + 800 * t) * t) + 0.01 * sin(Float(n * n % 977))
    }

    @Test("Frame count is 1 + (N - 512) / 160 with no padding")
    func frameCount() throws {
        let extractor = try FeatureExtractor()
        #expect(extractor.extract(Array(Self.signal)).rows == 97)
        #expect(extractor.extract(Array(Self.signal.prefix(512))).rows == 1)
        #expect(extractor.extract(Array(Self.signal.prefix(511))).rows == 0)
        #expect(extractor.extract([]).rows == 0)
    }

    @Test("Deltas triple the width and are the ±2-frame regression")
    func deltas() throws {
        let plain = try FeatureExtractor().extract(Self.signal)
        let withDeltas = try FeatureExtractor(configuration: FeatureConfiguration(includesDeltas: true)).extract(Self.signal)
        #expect(withDeltas.columns == 39 && withDeltas.rows == plain.rows)
        let t = 50
        for d in 0..<13 {
            #expect(withDeltas[t, d] == plain[t, d])
            let expected = (plain[t + 1, d] - plain[t - 1, d] + 2 * (plain[t + 2, d] - plain[t - 2, d])) / 10
            #expect(abs(withDeltas[t, 13 + d] - expected) <= 1e-3 * max(1, abs(expected)))
        }
    }

    @Test("Utterance normalisation gives every dimension mean 0 and deviation 1")
    func normalization() throws {
        let frames = try FeatureExtractor(configuration: FeatureConfiguration(normalization: .utterance)).extract(Self.signal)
        for d in 0..<frames.columns {
            let column = (0..<frames.rows).map { Double(frames[$0, d]) }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-4)
            #expect(abs(variance - 1) < 1e-3)
        }
    }

    @Test("Pooled normalisation: every band mean 0, one deviation for all, band spreads kept in proportion")
    func pooledNormalization() throws {
        let base = try FeatureExtractor(configuration: FeatureConfiguration(kind: .logMel)).extract(Self.signal)
        let frames = try FeatureExtractor(configuration: FeatureConfiguration(kind: .logMel, normalization: .utterancePooled)).extract(Self.signal)
        func statistics(_ m: Matrix, _ d: Int) -> (mean: Double, variance: Double) {
            let column = (0..<m.rows).map { Double(m[$0, d]) }
            let mean = column.reduce(0, +) / Double(column.count)
            return (mean, column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count))
        }
        let variances = (0..<frames.columns).map { statistics(frames, $0).variance }
        for d in 0..<frames.columns { #expect(abs(statistics(frames, d).mean) < 1e-4) }
        #expect(abs(variances.reduce(0, +) / Double(frames.columns) - 1) < 1e-3)
        // Each band's spread relative to the first band's is what it was before normalising.
        let baseVariances = (0..<base.columns).map { statistics(base, $0).variance }
        #expect(Set(variances.map { ($0 * 100).rounded() }).count > 1, "the bands must not all have the same spread")
        for d in 1..<frames.columns {
            #expect(abs(variances[d] / variances[0] - baseVariances[d] / baseVariances[0]) < 1e-3 * max(1, baseVariances[d] / baseVariances[0]))
        }
    }

    @Test("Stacking joins the normalised frames in consecutive pairs and drops an odd last one")
    func stackedFrames() throws {
        var configuration = FeatureConfiguration(kind: .logMel, normalization: .utterancePooled)
        let single = try FeatureExtractor(configuration: configuration).extract(Self.signal)
        configuration.stackedFrames = 2
        let stacked = try FeatureExtractor(configuration: configuration).extract(Self.signal)
        #expect(single.rows % 2 == 1, "the signal must leave an odd frame to drop")
        #expect(stacked.rows == single.rows / 2 && stacked.columns == 80 && configuration.dimension == 80)
        for t in 0..<stacked.rows {
            #expect(stacked.row(t) == single.row(2 * t) + single.row(2 * t + 1))
        }
        #expect(abs(configuration.frameShift - 0.02) < 1e-12)
        // The windows at 0 and 160 samples (512 long) centre at 16 and 26 ms; the pair's centre is 21 ms.
        #expect(abs(configuration.frameCentre - 0.021) < 1e-12)
    }

    @Test("The configuration round-trips through JSON", arguments: FeatureConfiguration.Normalization.allCases)
    func codable(normalization: FeatureConfiguration.Normalization) throws {
        var configuration = FeatureConfiguration(kind: .logMel, includesDeltas: true, normalization: normalization)
        configuration.melBandCount = 64
        configuration.stackedFrames = 3
        configuration.dynamicRange = 45
        configuration.energyNormalization = 0.4
        configuration.edgePadding = 0.1
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(FeatureConfiguration.self, from: data) == configuration)
    }

    @Test("A configuration written before frame stacking and the dynamic range existed reads as unstacked and unfloored")
    func codableWithoutStacking() throws {
        let configuration = FeatureConfiguration(kind: .logMel, normalization: .utterance)
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as! [String: Any]
        #expect(object["dynamicRange"] == nil, "no floor is not written, so older builds read the file")
        object["stackedFrames"] = nil
        let decoded = try JSONDecoder().decode(FeatureConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(decoded == configuration && decoded.stackedFrames == 1 && decoded.dynamicRange == nil)
    }

    @Test("A dynamic range raises quiet frames onto a floor that far below the loudest frame and leaves loud values be")
    func dynamicRange() throws {
        // Half a second of the test signal, then half a second of digital silence (-100 dB in every band).
        let samples = Array(Self.signal.prefix(8_000)) + Array(repeating: 0, count: 8_000)
        var configuration = FeatureConfiguration(kind: .logMel)
        let plain = try FeatureExtractor(configuration: configuration).extract(samples)
        configuration.dynamicRange = 30
        let floored = try FeatureExtractor(configuration: configuration).extract(samples)
        #expect(floored.rows == plain.rows && floored.columns == plain.columns)
        let loudest = (0..<plain.rows).map { t in
            10 * log10(plain.row(t).map { pow(10, Double($0) / 10) }.reduce(0, +) / Double(plain.columns))
        }.max()!
        let floor = loudest - 30
        #expect(plain[plain.rows - 1, 0] < Float(floor - 50), "the silence must lie far below the floor")
        for t in 0..<plain.rows {
            for d in 0..<plain.columns {
                let (before, after) = (Double(plain[t, d]), Double(floored[t, d]))
                let expected = 10 * log10(pow(10, before / 10) + pow(10, floor / 10))
                #expect(abs(after - expected) < 1e-3, "frame \(t) band \(d)")
                #expect(after >= floor - 1e-3)
                if before > floor + 20 { #expect(after - before < 0.05, "a value 20 dB above the floor moves by under 0.05 dB") }
            }
        }
        #expect(abs(Double(floored[plain.rows - 1, 0]) - floor) < 1e-3, "the silence sits on the floor")
    }

    @Test("Energy normalisation: PCEN of the dB values, level-independent on steady sound, onsets stand out, refused for MFCC")
    func energyNormalization() throws {
        // Half a second of digital silence, then 1.5 s of a steady 440 Hz tone.
        let tone = (0..<24_000).map { Float(0.3 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
        let samples = Array(repeating: Float(0), count: 8_000) + tone
        var configuration = FeatureConfiguration(kind: .logMel)
        let plain = try FeatureExtractor(configuration: configuration).extract(samples)
        configuration.energyNormalization = 0.4
        let extractor = try FeatureExtractor(configuration: configuration)
        let pcen = extractor.extract(samples)
        #expect(pcen.rows == plain.rows && pcen.columns == plain.columns)
        // The recursion, checked by hand on the band of the tone (smoother 0.4 s = 40 frames of 10 ms).
        let band = (0..<plain.columns).max { plain[plain.rows - 1, $0] < plain[plain.rows - 1, $1] }!
        let s = ((1 + 4 * 1_600.0).squareRoot() - 1) / 3_200
        var smoothed = pow(10, Double(plain[0, band]) / 10)
        for t in 0..<plain.rows {
            let energy = pow(10, Double(plain[t, band]) / 10)
            smoothed = (1 - s) * smoothed + s * energy
            let expected = (energy / pow(1e-10 + smoothed, 0.98) + 2).squareRoot() - 2.0.squareRoot()
            #expect(abs(Double(pcen[t, band]) - expected) <= 1e-4 * max(1, expected), "frame \(t)")
        }
        let last = pcen.rows - 1, onset = (40..<60).map { pcen[$0, band] }.max()!
        #expect(onset > 10 * pcen[last, band], "the tone's onset stands out of its steady part")
        // 20 dB quieter: the steady part moves by under 10 %, where the dB values move by 20.
        let quiet = extractor.extract(samples.map { $0 / 10 })
        #expect(abs(quiet[last, band] - pcen[last, band]) < 0.1 * pcen[last, band])
        var cepstral = FeatureConfiguration()
        cepstral.energyNormalization = 0.4
        #expect(throws: FeatureError.invalidConfiguration("energyNormalization needs kind logmel")) {
            try FeatureExtractor(configuration: cepstral)
        }
    }

    @Test("Edge padding frames the samples with that much silence before and after, in every kind")
    func edgePadding() throws {
        for kind in [FeatureConfiguration.Kind.mfcc, .logMel] {
            var configuration = FeatureConfiguration(kind: kind, normalization: .utterance)
            let silence = [Float](repeating: 0, count: 800)
            let expected = try FeatureExtractor(configuration: configuration).extract(silence + Self.signal + silence)
            configuration.edgePadding = 0.05
            #expect(configuration.edgePaddingSamples == 800)
            #expect(try FeatureExtractor(configuration: configuration).extract(Self.signal) == expected)
        }
        var wrong = FeatureConfiguration()
        wrong.edgePadding = 2
        #expect(throws: FeatureError.invalidConfiguration("edgePadding must be 0 to 1 s")) { try FeatureExtractor(configuration: wrong) }
    }

    @Test("An impossible configuration is refused, naming the field")
    func invalidConfiguration() {
        var configuration = FeatureConfiguration()
        configuration.windowLength = 1_024
        #expect(throws: FeatureError.invalidConfiguration("windowLength must be 1...fftSize")) {
            try FeatureExtractor(configuration: configuration)
        }
        var cepstral = FeatureConfiguration()
        cepstral.dynamicRange = 40
        #expect(throws: FeatureError.invalidConfiguration("dynamicRange needs kind logmel")) {
            try FeatureExtractor(configuration: cepstral)
        }
    }
}
