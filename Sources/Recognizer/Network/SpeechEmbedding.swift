import Features

/// openWakeWord's speech-embedding network, frozen: 20 convolutions over 76 mel frames
/// (``SpeechEmbeddingMel``) that end in 96 values, pretrained on a large amount of real
/// speech (Apache-2.0; David Scripka's openWakeWord, from Google's speech_embedding model).
///
/// Every convolution is VALID along time and SAME along the mel bands, with batch norm folded
/// into its kernel and bias; all but the last are followed by LeakyReLU(0.2) and `max(x, −0.4)`;
/// five max pools shrink time by 8 and the bands to 1 (``layers``). `scripts/convert-speech-embedding.py`
/// writes the weights from the `.tflite` file; ``read(folder:)`` loads them, and a model file
/// carries them (``AcousticModel/speechEmbedding``). Run it with ``SpeechEmbeddingRunner``.
public struct SpeechEmbedding: Sendable, Hashable {
    /// One convolution and the max pool after it.
    public struct Layer: Sendable, Hashable {
        /// Kernel frames (time) and bands.
        public var kernelHeight: Int, kernelWidth: Int
        /// Channels in and out.
        public var inputChannels: Int, outputChannels: Int
        /// The max pool after the activation (frames, bands), if any.
        public var poolHeight: Int, poolWidth: Int

        /// Values per output channel: `kernelHeight × kernelWidth × inputChannels`.
        public var patchSize: Int { kernelHeight * kernelWidth * inputChannels }
    }

    /// The network's layers, in order (the converter checks the `.tflite` file against the same table).
    public static let layers: [Layer] = {
        let kernels = [(3, 3), (1, 3), (3, 1), (1, 3), (3, 1), (1, 3), (3, 1), (1, 3), (3, 1), (1, 3),
                       (3, 1), (1, 3), (3, 1), (1, 3), (3, 1), (1, 3), (3, 1), (1, 3), (3, 1), (3, 1)]
        let channels = [24, 24, 24, 48, 48, 48, 48, 72, 72, 72, 72, 96, 96, 96, 96, 96, 96, 96, 96, 96]
        let pools = [2: (2, 2), 6: (1, 2), 10: (2, 2), 14: (1, 2), 18: (2, 2)]
        return kernels.indices.map { k in
            Layer(kernelHeight: kernels[k].0, kernelWidth: kernels[k].1, inputChannels: k == 0 ? 1 : channels[k - 1],
                  outputChannels: channels[k], poolHeight: pools[k]?.0 ?? 1, poolWidth: pools[k]?.1 ?? 1)
        }
    }()

    /// Each layer's kernel, `[outputChannels, patchSize]` row-major (kernel order frames, bands, channels).
    public var weights: [[Float]]
    /// Each layer's bias, `[outputChannels]`.
    public var biases: [[Float]]

    /// The names and shapes of the tensors, weights then bias for each layer, as model files store them.
    public static var tensorShapes: [(name: String, shape: [Int])] {
        layers.enumerated().flatMap { k, layer in
            [("embedding.conv\(k).weight", [layer.outputChannels, layer.patchSize]), ("embedding.conv\(k).bias", [layer.outputChannels])]
        }
    }

    /// Wraps weights and biases.
    /// - Throws: ``ModelError/invalidArchitecture(_:)`` if a tensor has the wrong size.
    public init(weights: [[Float]], biases: [[Float]]) throws {
        guard weights.count == Self.layers.count, biases.count == Self.layers.count else {
            throw ModelError.invalidArchitecture("a speech embedding has \(Self.layers.count) layers, got \(weights.count)")
        }
        for (k, layer) in Self.layers.enumerated()
        where weights[k].count != layer.outputChannels * layer.patchSize || biases[k].count != layer.outputChannels {
            throw ModelError.invalidArchitecture("speech embedding layer \(k) needs \(layer.outputChannels)×\(layer.patchSize) weights")
        }
        self.weights = weights
        self.biases = biases
    }

    /// All tensors in ``tensorShapes`` order.
    public var tensors: [[Float]] { zip(weights, biases).flatMap { [$0, $1] } }

    /// Reads the text tensors `scripts/convert-speech-embedding.py` writes
    /// (`embedding.conv<k>.weight.txt`, `embedding.conv<k>.bias.txt`).
    /// - Throws: ``ModelError`` if a file is missing, unreadable or of the wrong size.
    public static func read(folder: String) throws -> SpeechEmbedding {
        var weights: [[Float]] = [], biases: [[Float]] = []
        for (k, layer) in layers.enumerated() {
            for (suffix, count) in [("weight", layer.outputChannels * layer.patchSize), ("bias", layer.outputChannels)] {
                let path = "\(folder)/embedding.conv\(k).\(suffix).txt"
                let values = try TextTensorImporter.readValues(path)
                guard values.count == count else {
                    throw ModelError.corrupt(path, reason: "holds \(values.count) values; layer \(k) needs \(count)")
                }
                if suffix == "weight" { weights.append(values) } else { biases.append(values) }
            }
        }
        return try SpeechEmbedding(weights: weights, biases: biases)
    }
}
