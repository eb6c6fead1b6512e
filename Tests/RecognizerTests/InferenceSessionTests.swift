import Features
import Recognizer
import TestSupport
import Testing

/// The reference BiGRU of `shared/reference/gru`: 40 inputs, 2 layers of 128, 29 classes.
func referenceModel() throws -> AcousticModel {
    try TextTensorImporter.model(
        folder: Fixtures.path("reference/gru"),
        architecture: ModelArchitecture(inputSize: 40, hiddenSize: 128, layerCount: 2, classCount: 29),
        features: FeatureConfiguration(kind: .logMel))
}

@Suite("InferenceSession against the PyTorch reference", .enabled(if: Fixtures.has("reference/gru"), "needs ../shared/reference/gru"))
struct InferenceSessionTests {
    @Test("T=100: every layer and the log-probabilities within 1e-4", arguments: [1, 2])
    func hundredFrames(threads: Int) throws {
        let session = InferenceSession(model: try referenceModel(), threadCount: threads)
        let input = try Fixtures.matrix("reference/gru/T100_input_features.txt")
        let (logProbabilities, layers) = session.run(input, keepingLayerOutputs: true)
        #expect(layers.count == 2)
        for (index, layer) in layers.enumerated() {
            let reference = try Fixtures.matrix("reference/gru/T100_expected_gru\(index)_out_np64.txt")
            #expect(layer.rows == 100 && layer.columns == 256)
            #expect(Fixtures.relativeError(layer.values, reference.values) <= 1e-4)
        }
        let reference = try Fixtures.matrix("reference/gru/T100_expected_log_probs_np64.txt")
        #expect(logProbabilities.rows == 100 && logProbabilities.columns == 29)
        #expect(zip(logProbabilities.values, reference.values).allSatisfy { abs($0 - $1) <= 1e-4 })
    }

    @Test("T=1000: log-probabilities within 1e-4, and a reused session gives the same answer")
    func thousandFrames() throws {
        let session = InferenceSession(model: try referenceModel(), threadCount: 2)
        let short = try Fixtures.matrix("reference/gru/T100_input_features.txt")
        let first = session.logProbabilities(short)
        let input = try Fixtures.matrix("reference/gru/T1000_input_features.txt")
        let output = session.logProbabilities(input)
        let reference = try Fixtures.matrix("reference/gru/T1000_expected_log_probs_np64.txt")
        #expect(output.rows == 1_000)
        #expect(zip(output.values, reference.values).allSatisfy { abs($0 - $1) <= 1e-4 })
        #expect(session.logProbabilities(short) == first)
    }

    @Test("No frames in, no frames out")
    func empty() throws {
        let session = InferenceSession(model: try referenceModel())
        #expect(session.logProbabilities(Matrix(rows: 0, columns: 40)).rows == 0)
    }
}
