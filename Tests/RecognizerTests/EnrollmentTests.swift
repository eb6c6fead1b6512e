import Audio
import Foundation
@testable import Recognizer
import TestSupport
import Testing

@Suite("Enrollment and Calibration")
struct EnrollmentTests {
    @Test("Adam's decay toward an anchor pulls the weights to it, not to zero")
    func anchoredDecay() {
        var optimizer = AdamOptimizer(like: [[0, 0]])
        var parameters: [[Float]] = [[1, -1]]
        for _ in 0..<200 {
            optimizer.update(&parameters, gradient: [[0, 0]], learningRate: 0.1, weightDecay: [1], anchor: [[0.5, 0.5]])
        }
        #expect(abs(parameters[0][0] - 0.5) < 1e-3 && abs(parameters[0][1] - 0.5) < 1e-3, "\(parameters)")
    }

    @Test("The rehearsal set in the binary is the built-in model's frames; a model with another front end gets none")
    func rehearsal() throws {
        let builtIn = try ModelFile.bundled()
        let utterances = try Enrollment.bundledRehearsal(for: builtIn)
        #expect(utterances.count == 296)
        #expect(utterances.allSatisfy { $0.features.columns == builtIn.features.dimension && $0.features.rows > 0 })
        #expect(Set(utterances.map(\.text)).isSuperset(of: Vocabulary.speechCommands.entries))
        let logMel = try ModelFile.read(Fixtures.own("log-mel.lstn"))
        #expect(try Enrollment.bundledRehearsal(for: logMel).isEmpty)
        #expect(Enrollment.bundledNoise.count > 20 * 16000)
    }

    @Test("Bad takes and settings are refused naming the field")
    func refusals() throws {
        let base = try ModelFile.read(Fixtures.own("log-mel.lstn"))
        let take = try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/yes.wav").samples
        #expect(throws: RecognizerError.invalidTraining(field: "takes", reason: "must hold at least one take")) {
            try Enrollment(base: base).run(takes: [])
        }
        #expect(throws: RecognizerError.self) { try Enrollment(base: base).run(takes: [.init(text: "caf\u{e9}!", samples: take)]) }
        #expect(throws: RecognizerError.invalidTraining(field: "takes", reason: "a take of 'yes' is silent")) {
            try Enrollment(base: base).run(takes: [.init(text: "yes", samples: [Float](repeating: 0, count: 16000))])
        }
        var settings = Enrollment.Settings()
        settings.passes = 0
        #expect(throws: RecognizerError.invalidTraining(field: "passes", reason: "must be positive")) {
            try Enrollment(base: base, settings: settings).run(takes: [.init(text: "yes", samples: take)])
        }
    }

    @Test("A personal model records its base, takes and new words, survives its file, and only its trained layers move")
    func personalModel() throws {
        let base = try ModelFile.read(Fixtures.own("log-mel.lstn"))
        let yes = try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/yes.wav").samples
        var settings = Enrollment.Settings()
        settings.passes = 2
        settings.trainedLayers = 1
        let personal = try Enrollment(base: base, settings: settings).run(takes: [.init(text: "Yes  Please", samples: yes), .init(text: "yes", samples: yes)])
        let record = try #require(personal.metadata.personalization)
        #expect(record.baseChecksum == Personalization.checksum(of: base) && record.baseChecksum.count == 8)
        #expect(record.takes == ["yes please": 1, "yes": 1])
        #expect(personal.defaultVocabulary == base.defaultVocabulary + ["yes please"])
        #expect(personal.layers[0] == base.layers[0], "the first of two layers is frozen")
        #expect(personal.layers[1] != base.layers[1] && personal.outputWeights != base.outputWeights)
        let reread = try ModelFile.model(from: ModelFile.data(of: personal), name: "personal")
        #expect(reread.metadata.personalization == record)
    }

    @Test("A word's calibrated threshold replaces the decoder's for that word only")
    func entryThresholds() throws {
        var model = try ModelFile.bundled()
        let yes = try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/yes.wav").samples
        let stop = try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/stop.wav").samples
        #expect(try Recognizer(model: model).transcribe(samples: yes).text == "yes")
        model.metadata.personalization = Personalization(baseName: "", baseChecksum: "", takes: [:], created: "", seconds: 0,
                                                         settings: .init(), thresholds: ["yes": 1.01])
        let recognizer = try Recognizer(model: model)
        #expect(recognizer.transcribe(samples: yes).text != "yes")
        #expect(recognizer.transcribe(samples: stop).text == "stop")
    }
}
