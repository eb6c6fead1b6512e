import Features
import Foundation
import Recognizer
import TestSupport
import Testing

private let convertedWeights = Fixtures.speechEmbeddingFolder

/// The ported network against openWakeWord's own `embedding_model.tflite`
/// (`Tests/Fixtures/speech-embedding`, made by `scripts/make-speech-embedding-fixtures.py`).
@Suite("Speech embedding", .enabled(if: convertedWeights != nil,
                                    "needs pyopen-wakeword==1.1.0 and tflite==2.18.0 (./scripts/install-python-packages)"))
struct SpeechEmbeddingTests {
    @Test("Windows every 4 frames of the reference mels: every embedding within 1e-4 of embedding_model.tflite")
    func matchesReference() throws {
        let embedding = try SpeechEmbedding.read(folder: convertedWeights!)
        let mels = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/mels.txt"))
        let reference = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/embeddings.txt"))
        let output = SpeechEmbeddingRunner(embedding: embedding).embed(mels, step: 4)
        #expect(output.rows == reference.rows && output.columns == 96)
        #expect(Fixtures.relativeError(output.values, reference.values) <= 1e-4)
    }

    @Test("A long utterance, run in passes of 2 s, gives every window as if it were run alone", arguments: [4, 8])
    func longUtterance(step: Int) throws {
        let embedding = try SpeechEmbedding.read(folder: convertedWeights!)
        let reference = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/mels.txt"))
        // 5 s of frames: the reference's 96, repeated with a drift so no two passes see the same frames.
        let frames = 503, bands = reference.columns
        let mels = Matrix(rows: frames, columns: bands, values: (0..<(frames * bands)).map {
            reference.values[$0 % reference.values.count] + Float($0 / (bands * reference.rows)) * 0.3
        })
        let runner = SpeechEmbeddingRunner(embedding: embedding)
        let output = runner.embed(mels, step: step)
        #expect(output.rows == (frames - 76) / step + 1)
        for window in 0..<output.rows {
            let alone = runner.embed(Matrix(rows: 76, columns: bands, values: Array(mels.values[(window * step * bands)..<((window * step + 76) * bands)])), step: step)
            #expect(Fixtures.relativeError(Array(output.row(window)), alone.values) <= 1e-5, "window \(window)")
        }
    }

    @Test("Samples to embeddings through our own mel frames: within 1e-4 of the reference", arguments: [4, 8])
    func fromSamples(step: Int) throws {
        let embedding = try SpeechEmbedding.read(folder: convertedWeights!)
        let samples = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/samples.txt")).values
        let reference = try Fixtures.matrix(atPath: Fixtures.own("speech-embedding/embeddings.txt"))
        var configuration = FeatureConfiguration.speechEmbedding(step: step, edgePadding: nil, normalization: .none)
        configuration.embeddingStep = step
        let output = try FrontEnd(configuration: configuration, speechEmbedding: embedding).extract(samples)
        let kept = stride(from: 0, to: reference.rows, by: step / 4).flatMap { reference.row($0) }
        #expect(output.rows == (reference.rows + step / 4 - 1) / (step / 4))
        #expect(Fixtures.relativeError(output.values, Array(kept)) <= 1e-4)
    }

    @Test("A model file keeps the embedding, and reading gives the same network")
    func modelFile() throws {
        let embedding = try SpeechEmbedding.read(folder: convertedWeights!)
        let features = FeatureConfiguration.speechEmbedding()
        var model = try AcousticModel(architecture: ModelArchitecture(inputSize: 96, hiddenSize: 8, layerCount: 1, classCount: 29),
                                      features: features, alphabet: .english)
        model.speechEmbedding = embedding
        let data = try ModelFile.data(of: model)
        let read = try ModelFile.model(from: data, name: "test")
        #expect(read.speechEmbedding == embedding && read.features == features)
        #expect(data[8] == 5)  // format version 5
        model.speechEmbedding = nil
        #expect(throws: ModelError.self) { try ModelFile.data(of: model) }
    }
}
