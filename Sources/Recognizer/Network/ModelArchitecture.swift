/// The shape of an acoustic model: a stack of bidirectional GRU layers, then a linear
/// layer and log-softmax over the output classes (CTC blank first, then the alphabet).
/// With a ``timeReduction`` above 1, the first layer's output is averaged over groups of that
/// many frames, so the layers above it (and the output) run at a lower frame rate. Optional
/// ``convolutions`` over time and mel bands, one after another, feed the first GRU layer.
public struct ModelArchitecture: Sendable, Codable, Hashable {
    /// Values per input frame (13 MFCC, 40 log-mel, ×3 with deltas).
    public var inputSize: Int
    /// Units per direction in every GRU layer.
    public var hiddenSize: Int
    /// Number of bidirectional GRU layers.
    public var layerCount: Int
    /// Output classes: CTC blank plus the alphabet.
    public var classCount: Int
    /// Frames of the first layer's output averaged into one frame of the layers above (1: none).
    public var timeReduction: Int
    /// The convolutions in front of the first GRU layer, in order (none: the features go straight in).
    public var convolutions: [Convolution]

    /// Creates an architecture description.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int, classCount: Int, timeReduction: Int = 1,
                convolutions: [Convolution] = []) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.classCount = classCount
        self.timeReduction = timeReduction
        self.convolutions = convolutions
    }

    private enum CodingKeys: String, CodingKey { case inputSize, hiddenSize, layerCount, classCount, timeReduction, convolutions, convolution }

    /// Reads an architecture; files written before ``timeReduction`` and ``convolutions``
    /// existed have neither (1, none), and the oldest files with a convolution name their one convolution
    /// `convolution`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(inputSize: try container.decode(Int.self, forKey: .inputSize),
                  hiddenSize: try container.decode(Int.self, forKey: .hiddenSize),
                  layerCount: try container.decode(Int.self, forKey: .layerCount),
                  classCount: try container.decode(Int.self, forKey: .classCount),
                  timeReduction: try container.decodeIfPresent(Int.self, forKey: .timeReduction) ?? 1,
                  convolutions: try container.decodeIfPresent([Convolution].self, forKey: .convolutions)
                    ?? container.decodeIfPresent(Convolution.self, forKey: .convolution).map { [$0] } ?? [])
    }

    /// Writes every field; the convolutions always as the list `convolutions`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputSize, forKey: .inputSize)
        try container.encode(hiddenSize, forKey: .hiddenSize)
        try container.encode(layerCount, forKey: .layerCount)
        try container.encode(classCount, forKey: .classCount)
        try container.encode(timeReduction, forKey: .timeReduction)
        if !convolutions.isEmpty { try container.encode(convolutions, forKey: .convolutions) }
    }

    /// The largest sizes a model file may declare; anything bigger is refused before allocating.
    public static let limits = (inputSize: 4_096, hiddenSize: 2_048, layerCount: 16, classCount: 1_024, timeReduction: 8,
                                convolutionCount: 4)

    /// Frames the layers above the first (and the output) see for `frames` input frames: one per
    /// group of ``timeReduction``, the last group possibly shorter.
    public func reducedFrames(_ frames: Int) -> Int { TimeReduction.reducedFrames(frames, factor: timeReduction) }

    /// Input width of GRU layer `layer`: the features (or the last convolution's output) for
    /// layer 0, both directions' outputs after.
    public func layerInputSize(_ layer: Int) -> Int { layer == 0 ? convolutions.last?.outputSize ?? inputSize : 2 * hiddenSize }

    /// Index in ``tensorShapes`` of the first of the four tensors of a GRU layer's direction
    /// (0 forward, 1 backward); each convolution's weights and bias come first (convolution k's
    /// at 2k and 2k + 1), the output layer's two last.
    public func gruTensorIndex(layer: Int, direction: Int) -> Int { 2 * convolutions.count + (layer * 2 + direction) * 4 }

    /// Every tensor the model holds, in file order, with its PyTorch name and shape.
    public var tensorShapes: [(name: String, shape: [Int])] {
        var shapes: [(String, [Int])] = []
        for (index, convolution) in convolutions.enumerated() {
            let name = index == 0 ? "conv" : "conv\(index + 1)"
            shapes.append(("\(name).weight", [convolution.channels, convolution.inputChannels, convolution.kernelFrames, convolution.kernelBands]))
            shapes.append(("\(name).bias", [convolution.channels]))
        }
        for layer in 0..<layerCount {
            for suffix in ["", "_reverse"] {
                shapes.append(("gru.weight_ih_l\(layer)\(suffix)", [3 * hiddenSize, layerInputSize(layer)]))
                shapes.append(("gru.weight_hh_l\(layer)\(suffix)", [3 * hiddenSize, hiddenSize]))
                shapes.append(("gru.bias_ih_l\(layer)\(suffix)", [3 * hiddenSize]))
                shapes.append(("gru.bias_hh_l\(layer)\(suffix)", [3 * hiddenSize]))
            }
        }
        shapes.append(("fc.weight", [classCount, 2 * hiddenSize]))
        shapes.append(("fc.bias", [classCount]))
        return shapes
    }

    /// Total number of parameters.
    public var parameterCount: Int { tensorShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// Checks every size is positive and within ``limits``.
    /// - Throws: ``ModelError/invalidArchitecture(_:)`` naming the field.
    public func validate() throws {
        func check(_ value: Int, _ limit: Int, _ name: String) throws {
            guard (1...limit).contains(value) else {
                throw ModelError.invalidArchitecture("\(name) \(value) is outside 1...\(limit)")
            }
        }
        try check(inputSize, Self.limits.inputSize, "inputSize")
        try check(hiddenSize, Self.limits.hiddenSize, "hiddenSize")
        try check(layerCount, Self.limits.layerCount, "layerCount")
        try check(classCount, Self.limits.classCount, "classCount")
        try check(timeReduction, Self.limits.timeReduction, "timeReduction")
        guard convolutions.count <= Self.limits.convolutionCount else {
            throw ModelError.invalidArchitecture("\(convolutions.count) convolutions is more than \(Self.limits.convolutionCount)")
        }
        var reads = (bands: inputSize, channels: 1)
        for (index, convolution) in convolutions.enumerated() {
            try convolution.validate()
            guard convolution.inputBands == reads.bands && convolution.inputChannels == reads.channels else {
                throw ModelError.invalidArchitecture("convolution \(index + 1) reads \(convolution.inputBands) bands × "
                                                     + "\(convolution.inputChannels) channels, its input has \(reads.bands) × \(reads.channels)")
            }
            reads = (convolution.outputBands, convolution.channels)
        }
    }
}
