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

    @Test("The configuration round-trips through JSON", arguments: FeatureConfiguration.Normalization.allCases)
    func codable(normalization: FeatureConfiguration.Normalization) throws {
        var configuration = FeatureConfiguration(kind: .logMel, includesDeltas: true, normalization: normalization)
        configuration.melBandCount = 64
        configuration.edgePadding = 0.1
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(FeatureConfiguration.self, from: data) == configuration)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["stackedFrames"] as? Int == 1, "older builds need the field")
    }

    @Test("A configuration with frame stacking, a dynamic range floor or PCEN is refused, naming what it needs",
          arguments: [("stackedFrames", 2.0, "frame stacking (stackedFrames 2)"),
                      ("dynamicRange", 45, "a dynamic range floor (dynamicRange 45.0 dB)"),
                      ("energyNormalization", 0.4, "per-channel energy normalisation (energyNormalization 0.4 s)")])
    func retired(field: String, value: Double, feature: String) throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(FeatureConfiguration(kind: .logMel))) as! [String: Any]
        object[field] = field == "stackedFrames" ? Int(value) as Any : value as Any
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: FeatureError.retired(feature)) { try JSONDecoder().decode(FeatureConfiguration.self, from: data) }
        #expect("\(FeatureError.retired(feature))".contains("no longer has; retrain the model"))
        object["stackedFrames"] = nil
        object[field] = nil
        let plain = try JSONDecoder().decode(FeatureConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(plain == FeatureConfiguration(kind: .logMel), "a configuration written before these fields existed reads as it was")
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
        cepstral.coefficientCount = 41
        #expect(throws: FeatureError.invalidConfiguration("coefficientCount must be 1...melBandCount")) {
            try FeatureExtractor(configuration: cepstral)
        }
    }
}
