import Features

/// The acoustic model: optional convolutions over time and mel bands, a stack of
/// bidirectional GRU layers (PyTorch's gate convention), a linear layer and log-softmax over
/// CTC classes, with everything needed to use it — the feature front end it was trained
/// with, its alphabet and default vocabulary.
///
/// Run it with an ``InferenceSession`` (or through ``Recognizer``); load and save it with
/// ``ModelFile``.
public struct AcousticModel: Sendable {
    /// Layer sizes.
    public var architecture: ModelArchitecture
    /// The front end the model expects; ``Recognizer`` computes features with it.
    public var features: FeatureConfiguration
    /// The characters of classes 1…; class 0 is the CTC blank.
    public var alphabet: Alphabet
    /// Command words and phrases used when the caller gives no vocabulary.
    public var defaultVocabulary: [String]
    /// Where the model came from and how well it did.
    public var metadata: ModelMetadata
    /// Each convolution's filters, `[channels, patchSize]` row-major, in order.
    public var convolutionWeights: [[Float]]
    /// Each convolution's biases, `[channels]`, in order.
    public var convolutionBiases: [[Float]]
    /// `layers[k][0]` reads forward in time, `layers[k][1]` backward.
    public var layers: [[GRUWeights]]
    /// `[classes, 2H]`, row-major.
    public var outputWeights: [Float]
    /// `[classes]`.
    public var outputBias: [Float]
    /// The frozen speech-embedding network under ``FeatureConfiguration/Kind/speechEmbedding``
    /// features (nil otherwise). Not among ``tensors``: training never changes it.
    public var speechEmbedding: SpeechEmbedding?

    /// A model with zero weights; fill them in (training, or a loader).
    /// - Throws: ``ModelError`` if the architecture is invalid or disagrees with the alphabet.
    public init(architecture: ModelArchitecture, features: FeatureConfiguration, alphabet: Alphabet,
                defaultVocabulary: [String] = [], metadata: ModelMetadata = ModelMetadata()) throws {
        try architecture.validate()
        guard architecture.hiddenSize % 8 == 0 else {
            throw ModelError.invalidArchitecture("hiddenSize \(architecture.hiddenSize) is not a multiple of 8")
        }
        guard architecture.classCount == alphabet.classCount else {
            throw ModelError.invalidArchitecture(
                "classCount \(architecture.classCount) does not match the alphabet's \(alphabet.classCount) classes")
        }
        guard architecture.inputSize == features.dimension else {
            throw ModelError.invalidArchitecture(
                "inputSize \(architecture.inputSize) does not match the features' \(features.dimension) values per frame")
        }
        if features.kind == .speechEmbedding && architecture.timeReduction != 1 {
            throw ModelError.invalidArchitecture("speech-embedding features are already 40 or 80 ms apart; no time reduction")
        }
        if !architecture.convolutions.isEmpty && !(features.kind == .logMel && features.dimension == features.melBandCount) {
            throw ModelError.invalidArchitecture("a convolution needs plain log-mel features (no deltas, no stacked frames)")
        }
        self.architecture = architecture
        self.features = features
        self.alphabet = alphabet
        self.defaultVocabulary = defaultVocabulary
        self.metadata = metadata
        layers = (0..<architecture.layerCount).map { layer in
            [GRUWeights](repeating: GRUWeights(inputSize: architecture.layerInputSize(layer), hiddenSize: architecture.hiddenSize), count: 2)
        }
        convolutionWeights = architecture.convolutions.map { [Float](repeating: 0, count: $0.channels * $0.patchSize) }
        convolutionBiases = architecture.convolutions.map { [Float](repeating: 0, count: $0.channels) }
        outputWeights = [Float](repeating: 0, count: architecture.classCount * 2 * architecture.hiddenSize)
        outputBias = [Float](repeating: 0, count: architecture.classCount)
    }

    /// All tensors in ``ModelArchitecture/tensorShapes`` order.
    public var tensors: [[Float]] {
        get {
            zip(convolutionWeights, convolutionBiases).flatMap { [$0, $1] } + layers.flatMap { directions in
                directions.flatMap { [$0.inputWeights, $0.hiddenWeights, $0.inputBias, $0.hiddenBias] }
            } + [outputWeights, outputBias]
        }
        set {
            let shapes = architecture.tensorShapes
            precondition(newValue.count == shapes.count && zip(newValue, shapes).allSatisfy { $0.count == $1.shape.reduce(1, *) },
                         "tensors do not match the architecture")
            let convolutionCount = architecture.convolutions.count
            convolutionWeights = (0..<convolutionCount).map { newValue[2 * $0] }
            convolutionBiases = (0..<convolutionCount).map { newValue[2 * $0 + 1] }
            var index = 2 * convolutionCount
            for layer in layers.indices {
                for direction in 0..<2 {
                    layers[layer][direction] = GRUWeights(
                        inputWeights: newValue[index], hiddenWeights: newValue[index + 1],
                        inputBias: newValue[index + 2], hiddenBias: newValue[index + 3])
                    index += 4
                }
            }
            outputWeights = newValue[index]
            outputBias = newValue[index + 1]
        }
    }
}

extension AcousticModel {
    /// Runs `body` on ``tensors`` and keeps what it leaves there. The model lets go of its own
    /// references first, so writing the tensors in place copies none of them (unless someone
    /// else holds this model's weights).
    public mutating func modifyTensors(_ body: (inout [[Float]]) throws -> Void) rethrows {
        var tensors = self.tensors
        convolutionWeights = []
        convolutionBiases = []
        layers = layers.map { $0.map { _ in GRUWeights(inputSize: 0, hiddenSize: 0) } }
        outputWeights = []
        outputBias = []
        defer { self.tensors = tensors }
        try body(&tensors)
    }
}

extension GRUWeights {
    /// Wraps existing tensors (PyTorch layout, gate blocks r, z, n).
    public init(inputWeights: [Float], hiddenWeights: [Float], inputBias: [Float], hiddenBias: [Float]) {
        self.inputWeights = inputWeights
        self.hiddenWeights = hiddenWeights
        self.inputBias = inputBias
        self.hiddenBias = hiddenBias
    }
}
