import Audio
import Features
import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Recognizer hearing at several vocal-tract warps, with a log-mel model (Tests/Fixtures/log-mel.lstn)")
struct RecognizerWarpTests {
    /// The log-mel model shipped before the speech-embedding one: warps move its mel bands.
    static func logMelModel() throws -> AcousticModel {
        try ModelFile.read(Fixtures.own("log-mel.lstn"))
    }

    static func samples(_ example: String) throws -> [Float] {
        try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/\(example).wav").samples
    }

    static func features(_ example: String, model: AcousticModel) throws -> Matrix {
        try FrontEnd(model: model).extract(try samples(example))
    }

    @Test("One warp of 1 hears once, as recorded: the session's own log-probabilities")
    func oneRun() throws {
        let model = try Self.logMelModel()
        let features = try Self.features("go_left", model: model)
        let recognizer = try Recognizer(model: model, warps: .none)
        #expect(recognizer.logProbabilities(features: features) == InferenceSession(model: model).logProbabilities(features))
        #expect(try Recognizer(model: model).warps == .standard)
    }

    @Test("The other warps are heard only when the first hearing has a word below the recheck confidence")
    func recheckOnlyWhenUnsure() throws {
        let model = try Self.logMelModel()
        let samples = try Self.samples("left")
        let decoding = Recognizer.Decoding.vocabulary(try Vocabulary(["lift"]))  // a near miss: heard as [unk], unsure
        func heard(_ warps: Recognizer.Warps) throws -> Transcript {
            try Recognizer(model: model, decoding: decoding, warps: warps).transcribe(samples: samples)
        }
        let once = try heard(.none), always = try heard(.init([1, 1.1], recheckBelow: 1))
        #expect(always != once)  // the second warp changes what is heard
        let lowest = try #require(once.words.map(\.confidence).min())
        #expect(lowest < 0.99)
        #expect(try heard(.init([1, 1.1], recheckBelow: lowest)) == once)
        #expect(try heard(.init([1, 1.1], recheckBelow: lowest + 0.01)) == always)
        #expect(try heard(.init([1, 1.1], recheckBelow: 0)) == once)
    }

    @Test("Three warps give the log of the mean of the three runs' probabilities, frame by frame")
    func meanOfProbabilities() throws {
        let model = try Self.logMelModel()
        let features = try Self.features("go_left", model: model)
        let factors = [0.9, 1, 1.1]
        let runs = try factors.map { try Recognizer(model: model, warps: .init([$0])).logProbabilities(features: features) }
        #expect(runs[0] != runs[1] && runs[2] != runs[1])  // a warp changes what the model hears
        let combined = try Recognizer(model: model, warps: .init(factors)).logProbabilities(features: features)
        #expect(combined.rows == runs[1].rows && combined.columns == runs[1].columns)
        for i in combined.values.indices {
            let mean = runs.map { exp($0.values[i]) }.reduce(0, +) / 3
            #expect(abs(combined.values[i] - log(mean)) <= 1e-4)
        }
        for t in 0..<combined.rows {
            #expect(abs(combined.row(t).map { exp($0) }.reduce(0, +) - 1) <= 1e-4)
        }
    }

    @Test("Every example is still heard right at warps 0.9, 1 and 1.1, and by default",
          arguments: ["go", "go_left", "left", "no", "right", "seven", "stop", "up", "yes"])
    func examplesHeard(example: String) throws {
        let model = try Self.logMelModel()
        let decoding = Recognizer.Decoding.vocabulary(try Vocabulary(model.defaultVocabulary))
        for warps in [Recognizer.Warps([0.9, 1, 1.1]), .standard] {
            let recognizer = try Recognizer(model: model, decoding: decoding, warps: warps)
            #expect(recognizer.transcribe(samples: try Self.samples(example)).text == example.replacingOccurrences(of: "_", with: " "))
        }
    }
}

@Suite("The shipped model")
struct ShippedModelTests {
    @Test("Every example is heard right by default", arguments: ["go", "go_left", "left", "no", "right", "seven", "stop", "up", "yes"])
    func examplesHeard(example: String) throws {
        let model = try ModelFile.bundled()
        let recognizer = try Recognizer(model: model, decoding: .vocabulary(try Vocabulary(model.defaultVocabulary)))
        #expect(recognizer.transcribe(samples: try RecognizerWarpTests.samples(example)).text == example.replacingOccurrences(of: "_", with: " "))
    }

    @Test("The library's default decoding is listen's: the model's vocabulary, the default [unk] penalty and threshold")
    func libraryDefaults() throws {
        let model = try ModelFile.bundled()
        let recognizer = try Recognizer(model: model)
        #expect(recognizer.decoding == .vocabulary(try Vocabulary(model.defaultVocabulary), unknownPenalty: VocabularyDecoder.defaultUnknownPenalty,
                                                   rejectionThreshold: VocabularyDecoder.defaultRejectionThreshold))
        #expect(recognizer.transcribe(samples: try RecognizerWarpTests.samples("go_left")).text == "go left")
    }

    @Test("A speech-embedding model hears as recorded only: warps would move embedding values, not mel bands")
    func noWarps() throws {
        let model = try ModelFile.bundled()
        guard model.features.kind == .speechEmbedding else { return }
        #expect(try Recognizer(model: model, warps: .standard).warps == .none)
    }
}
