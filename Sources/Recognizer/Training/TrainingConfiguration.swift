import Features

/// Everything a training run needs to know, stored in the model file it writes
/// (``ModelMetadata/trainingConfiguration``): the data, the front end, the network, the
/// optimisation and the augmentations. ``TrainingRun`` runs it; `listen train` maps its
/// options onto it one to one.
public struct TrainingConfiguration: Sendable, Codable, Hashable {
    // MARK: Data

    /// Manifests of labelled clips: `scripts/synthesize.py`'s (rows marked `heldout` are never
    /// trained on) or real-speech ones with speaker and source columns (``LabelledData/manifest(_:split:)``).
    public var manifests: [String] = []
    /// Folders in the Speech Commands layout (``LabelledData/folder(_:)``).
    public var folders: [String] = []
    /// How many times each folder clip is seen per epoch.
    public var folderWeight = 1
    /// How many times each clip of a manifest source is seen per epoch (1 for sources not named).
    public var sourceWeights: [String: Int] = [:]
    /// The percent of a real-speech manifest's speakers held out, and the texts and file names left out.
    public var heldOutSpeakers = LabelledData.ManifestSplit.standard.heldOutSpeakers
    public var excluded: [String] = []
    /// A word in more clips than this per epoch is shown in a random subset of about this many (0: off).
    public var balance = 0
    /// The most held-out clips (those made of vocabulary words) scored after each epoch.
    public var heldOutLimit = 600
    /// Labelled sets scored after every epoch as ``EvaluationReport`` scores them (folders or manifests); never trained on.
    public var monitors: [String] = []
    /// The default vocabulary stored in the model.
    public var vocabulary = Vocabulary.speechCommands.entries

    // MARK: Front end

    /// The front end: log-mel features, or openWakeWord's speech embedding (``FeatureConfiguration/speechEmbedding(step:edgePadding:normalization:)``).
    public var features = FeatureConfiguration(kind: .logMel, normalization: .utterance)
    /// With a speech-embedding front end: the folder of its text tensors (`scripts/convert-speech-embedding.py`).
    public var speechEmbedding: String?

    // MARK: Network

    /// GRU units per direction (a multiple of 8), bidirectional layers, frames of the first
    /// layer's output averaged into one, channels of each convolution in front of the GRUs.
    public var hiddenSize = 128
    public var layers = 2
    public var timeReduction = 1
    public var convolutionChannels: [Int] = []

    // MARK: Optimisation

    /// Passes over the training clips; clips per update.
    public var epochs = 10
    public var batchSize = 32
    /// Adam's peak learning rate (linear warm-up over 300 updates or a tenth of the run,
    /// whichever is fewer, then cosine decay to `finalLearningRate`, 5 % of the peak if nil).
    public var learningRate: Float = 0.002
    public var finalLearningRate: Float?
    /// AdamW's decoupled decay of the weight matrices (0: none).
    public var weightDecay: Float = 0
    /// Decay of the moving average of the weights that is scored and written (0: the last weights).
    public var averageDecay: Float = 0
    /// Seed of the initial weights, shuffles and augmentations.
    public var seed: UInt64 = 1

    // MARK: Augmentation, anew for every clip in every epoch

    /// Vocal-tract warp and tempo stretch of the features, factors in 1 ± these (``SpeakerPerturbation``).
    public var warp: Double = 0
    public var stretch: Double = 0
    /// SpecAugment: the widest run of bands and the longest run of frames masked (milliseconds).
    public var frequencyMask = 5
    public var timeMask = 80
    /// The share of speech clips resampled to another speed, and the largest change (``SpeedPerturbation``).
    public var speedShare: Double = 0
    public var speedChange: Double = 0.1
    /// The share of clips mixed with a clip without words, at a signal-to-noise ratio in this range (dB) (``NoiseMixing``).
    public var noiseMix: Double = 0
    public var noiseSignalToNoise: ClosedRange<Double> = 5...30

    /// The defaults above.
    public init() {}

    /// The split of the manifests' rows into training and held-out ones.
    public var split: LabelledData.ManifestSplit {
        LabelledData.ManifestSplit(heldOutSpeakers: heldOutSpeakers, excluded: Set(excluded.map { $0.lowercased() }))
    }

    /// The network the configuration describes, for `features`' frames.
    public var architecture: ModelArchitecture {
        let convolutions: [Convolution] = convolutionChannels.reduce(into: []) { layers, channels in
            layers.append(layers.last?.followed(byChannels: channels) ?? Convolution(channels: channels, inputBands: features.dimension))
        }
        return ModelArchitecture(inputSize: features.dimension, hiddenSize: hiddenSize, layerCount: layers,
                                 classCount: Alphabet.english.classCount, timeReduction: timeReduction, convolutions: convolutions)
    }

    /// Checks every field.
    /// - Throws: ``RecognizerError/invalidTraining(field:reason:)`` naming the first field out of range.
    public func validate() throws {
        func require(_ condition: Bool, _ field: String, _ reason: String) throws {
            if !condition { throw RecognizerError.invalidTraining(field: field, reason: reason) }
        }
        try require(!manifests.isEmpty || !folders.isEmpty, "manifests", "or folders must give training data")
        try require(folderWeight >= 0, "folderWeight", "must be 0 or more")
        try require(sourceWeights.values.allSatisfy { $0 >= 0 }, "sourceWeights", "must be 0 or more")
        try require((0...100).contains(heldOutSpeakers), "heldOutSpeakers", "must be a percent between 0 and 100")
        try require(balance >= 0, "balance", "must be 0 (off) or a number of clips")
        try require(heldOutLimit >= 0, "heldOutLimit", "must be 0 or more")
        try require(!vocabulary.isEmpty, "vocabulary", "must hold a word")
        if let padding = features.edgePadding {
            try require(FeatureConfiguration.edgePaddingRange.contains(padding), "edgePadding", "must be between 0 and 1 s")
        }
        try require(features.normalization != .none, "normalization", "must be utterance or utterance-pooled (the masks assume normalised features)")
        try require(features.kind != .speechEmbedding || [4, 8].contains(features.embeddingStep), "embeddingStep", "must be 4 or 8")
        do { try features.validate() } catch { throw RecognizerError.invalidTraining(field: "features", reason: "\(error)") }
        try require((features.kind == .speechEmbedding) == (speechEmbedding != nil), "speechEmbedding",
                    "names the network's folder exactly when the features are a speech embedding")
        if features.kind == .logMel {
            try require((80...400).contains(features.hopLength), "hopLength", "must be between 80 and 400 samples")
            try require((16...128).contains(features.melBandCount), "melBands", "must be between 16 and 128")
        }
        if features.kind == .speechEmbedding {
            try require(convolutionChannels.isEmpty && timeReduction == 1 && warp == 0, "speechEmbedding",
                        "takes no convolution, time reduction or warp (its frames are embeddings, not mel bands)")
        }
        try require(hiddenSize > 0 && hiddenSize % 8 == 0, "hiddenSize", "must be a positive multiple of 8")
        try require(layers >= 1, "layers", "must be positive")
        try require((1...ModelArchitecture.limits.timeReduction).contains(timeReduction), "timeReduction",
                    "must be between 1 and \(ModelArchitecture.limits.timeReduction)")
        try require(convolutionChannels.allSatisfy((1...64).contains) && convolutionChannels.count <= ModelArchitecture.limits.convolutionCount,
                    "convolution", "takes 0, or up to \(ModelArchitecture.limits.convolutionCount) channel counts between 1 and 64 (16,32)")
        try require(epochs >= 1, "epochs", "must be positive")
        try require(batchSize >= 1, "batchSize", "must be positive")
        try require(learningRate > 0, "learningRate", "must be positive")
        try require(finalLearningRate.map { (0...learningRate).contains($0) } ?? true, "finalLearningRate", "must be between 0 and the learning rate")
        try require((0...1).contains(weightDecay), "weightDecay", "must be between 0 and 1")
        try require((0..<1).contains(averageDecay), "averageDecay", "must be at least 0 and below 1")
        try require((0..<0.5).contains(warp), "warp", "must be at least 0 and below 0.5")
        try require((0..<0.5).contains(stretch), "stretch", "must be at least 0 and below 0.5")
        try require((0...20).contains(frequencyMask), "frequencyMask", "must be between 0 and 20 bands")
        try require((0...500).contains(timeMask), "timeMask", "must be between 0 and 500 ms")
        try require((0...1).contains(speedShare), "speedShare", "must be between 0 and 1")
        try require((0..<0.5).contains(speedChange), "speedChange", "must be at least 0 and below 0.5")
        try require((0...1).contains(noiseMix), "noiseMix", "must be between 0 and 1")
    }
}
