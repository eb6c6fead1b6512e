import Audio
import Features
import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Recognizer hearing at several vocal-tract warps, with the shipped model")
struct RecognizerWarpTests {
    static func samples(_ example: String) throws -> [Float] {
        try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/\(example).wav").samples
    }

    static func features(_ example: String, model: AcousticModel) throws -> Matrix {
        try FeatureExtractor(configuration: model.features).extract(try samples(example))
    }

    @Test("The default hears once, as recorded: the session's own log-probabilities")
    func defaultIsOneRun() throws {
        let model = try ModelFile.bundled()
        let features = try Self.features("go_left", model: model)
        let recognizer = try Recognizer(model: model)
        #expect(recognizer.frequencyWarps == [1])
        #expect(recognizer.logProbabilities(features: features) == InferenceSession(model: model).logProbabilities(features))
    }

    @Test("Three warps give the log of the mean of the three runs' probabilities, frame by frame")
    func meanOfProbabilities() throws {
        let model = try ModelFile.bundled()
        let features = try Self.features("go_left", model: model)
        let factors = [0.9, 1, 1.1]
        let runs = try factors.map { try Recognizer(model: model, frequencyWarps: [$0]).logProbabilities(features: features) }
        #expect(runs[0] != runs[1] && runs[2] != runs[1])  // a warp changes what the model hears
        let combined = try Recognizer(model: model, frequencyWarps: factors).logProbabilities(features: features)
        #expect(combined.rows == runs[1].rows && combined.columns == runs[1].columns)
        for i in combined.values.indices {
            let mean = runs.map { exp($0.values[i]) }.reduce(0, +) / 3
            #expect(abs(combined.values[i] - log(mean)) <= 1e-4)
        }
        for t in 0..<combined.rows {
            #expect(abs(combined.row(t).map { exp($0) }.reduce(0, +) - 1) <= 1e-4)
        }
    }

    @Test("Every example is still heard right at warps 0.9, 1 and 1.1",
          arguments: ["go", "go_left", "left", "no", "right", "seven", "stop", "up", "yes"])
    func examplesHeard(example: String) throws {
        let model = try ModelFile.bundled()
        let recognizer = try Recognizer(model: model, decoding: .vocabulary(try Vocabulary(model.defaultVocabulary)), frequencyWarps: [0.9, 1, 1.1])
        #expect(recognizer.transcribe(samples: try Self.samples(example)).text == example.replacingOccurrences(of: "_", with: " "))
    }
}
