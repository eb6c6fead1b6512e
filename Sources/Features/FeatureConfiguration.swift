/// How audio becomes feature frames; stored in model files, so a model always gets the
/// front end it was trained with.
///
/// The defaults are the project's reference definition (`shared/reference/mfcc`): librosa's
/// MFCC with a 512-point FFT, 25 ms periodic Hamming window, 10 ms hop, 40 Slaney mel bands
/// from 20 to 7600 Hz, per-value dB with a 1e-10 floor, orthonormal DCT-II, 13 coefficients.
public struct FeatureConfiguration: Sendable, Codable, Hashable {
    /// What each frame holds.
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        /// Cepstral coefficients (DCT of the log-mel energies).
        case mfcc
        /// The log-mel energies themselves, in dB.
        case logMel = "logmel"
        /// openWakeWord's speech embedding (``speechEmbedding()``): its own log-mel frames
        /// (``SpeechEmbeddingMel``) are turned by a frozen convolutional network, which the
        /// model file carries, into ``SpeechEmbeddingMel/embeddingSize`` values per window of
        /// ``SpeechEmbeddingMel/windowFrames`` frames, one window every ``embeddingStep`` frames.
        /// The extractor computes the mel frames; the recognizer's front end applies the network.
        case speechEmbedding = "speech-embedding"
    }

    /// Normalisation applied once a whole utterance is known.
    public enum Normalization: String, Sendable, Codable, Hashable, CaseIterable {
        /// Values as computed.
        case none
        /// Per-utterance mean and variance normalisation of every dimension.
        case utterance
        /// Per-utterance mean of every dimension subtracted, then one standard deviation over
        /// all dimensions divided out: the bands keep their relative spread, so the empty upper
        /// bands of narrowband (8 kHz) audio stay flat instead of being scaled up to unit variance.
        case utterancePooled = "utterance-pooled"
    }

    /// Input sample rate, in Hz.
    public var sampleRate: Int = 16_000
    /// FFT length, in samples; the window is centred in it.
    public var fftSize: Int = 512
    /// Window length, in samples (400 = 25 ms).
    public var windowLength: Int = 400
    /// Hop between frames, in samples (160 = 10 ms).
    public var hopLength: Int = 160
    /// Number of mel bands.
    public var melBandCount: Int = 40
    /// Lowest mel edge, in Hz.
    public var minimumFrequency: Double = 20
    /// Highest mel edge, in Hz.
    public var maximumFrequency: Double = 7_600
    /// Cepstral coefficients kept (c0 included), for ``Kind/mfcc``.
    public var coefficientCount: Int = 13
    /// What each frame holds.
    public var kind: Kind = .mfcc
    /// Appends deltas and delta-deltas (regression over ±2 frames, edges repeated).
    public var includesDeltas: Bool = false
    /// Normalisation over the utterance.
    public var normalization: Normalization = .none
    /// Silence (zeros) put before and after the samples of every utterance before framing, in
    /// seconds (nil = none). Frames then cover the very first and last samples, and a recording
    /// cut tight around its word is heard with a little silence around it, as training clips are.
    public var edgePadding: Double?
    /// Mel frames between speech embeddings (``Kind/speechEmbedding`` only): 4 = 40 ms, 8 = 80 ms
    /// (openWakeWord's own step).
    public var embeddingStep: Int = 4

    /// The reference configuration, optionally with another kind, deltas or normalisation.
    public init(kind: Kind = .mfcc, includesDeltas: Bool = false, normalization: Normalization = .none) {
        self.kind = kind
        self.includesDeltas = includesDeltas
        self.normalization = normalization
    }

    /// openWakeWord's front end: its mel frames (a 25 ms periodic Hann window in a 512-point FFT,
    /// 10 ms hop, 32 Slaney bands from 60 to 3800 Hz) under its speech embedding, one every
    /// `step` frames (4 = 40 ms), with `edgePadding` seconds of silence at each end (0.4 s puts
    /// the first and last windows' centres at the clip's ends) and `normalization` applied to
    /// the embeddings.
    public static func speechEmbedding(step: Int = 4, edgePadding: Double? = 0.4,
                                       normalization: Normalization = .utterancePooled) -> FeatureConfiguration {
        var c = FeatureConfiguration(kind: .speechEmbedding, normalization: normalization)
        c.windowLength = 400
        c.melBandCount = SpeechEmbeddingMel.bandCount
        c.minimumFrequency = 60
        c.maximumFrequency = 3_800
        c.embeddingStep = step
        c.edgePadding = edgePadding
        return c
    }

    /// Values per frame before deltas: 13 for MFCC, 40 for log-mel by default, the mel bands
    /// under a speech embedding.
    public var baseDimension: Int { kind == .mfcc ? coefficientCount : melBandCount }

    /// Values per frame as extracted: ``baseDimension``, tripled with deltas; a speech embedding's size.
    public var dimension: Int {
        kind == .speechEmbedding ? SpeechEmbeddingMel.embeddingSize : baseDimension * (includesDeltas ? 3 : 1)
    }

    /// Base frames per extracted frame: 1, or ``embeddingStep`` between embeddings.
    var framesPerStep: Int { kind == .speechEmbedding ? embeddingStep : 1 }

    /// Base frames an extracted frame spans: 1, or a speech embedding's window.
    var framesPerWindow: Int { kind == .speechEmbedding ? SpeechEmbeddingMel.windowFrames : 1 }

    /// Seconds between extracted frames.
    public var frameShift: Double { Double(hopLength * framesPerStep) / Double(sampleRate) }

    /// Seconds from the first sample of an extracted frame to the centre of the windows it holds.
    public var frameCentre: Double { Double(fftSize + hopLength * (framesPerWindow - 1)) / 2 / Double(sampleRate) }

    /// The ``edgePadding`` a front end may have, in seconds.
    public static let edgePaddingRange = 0.0...1.0

    /// ``edgePadding`` in whole samples, at each end.
    public var edgePaddingSamples: Int { Int(((edgePadding ?? 0) * Double(sampleRate)).rounded()) }

    /// Base frames for `sampleCount` samples: `1 + (N - fftSize) / hopLength`, no padding.
    public func frameCount(forSampleCount sampleCount: Int) -> Int {
        sampleCount < fftSize ? 0 : 1 + (sampleCount - fftSize) / hopLength
    }

    /// Checks that the fields describe a working front end.
    /// - Throws: ``FeatureError/invalidConfiguration(_:)`` naming the field.
    public func validate() throws {
        func require(_ condition: Bool, _ reason: String) throws {
            if !condition { throw FeatureError.invalidConfiguration(reason) }
        }
        try require(sampleRate > 0, "sampleRate must be positive")
        try require(fftSize >= 16 && fftSize <= 65_536 && fftSize % 2 == 0, "fftSize must be even, 16-65536")
        try require(windowLength > 0 && windowLength <= fftSize, "windowLength must be 1...fftSize")
        try require(hopLength > 0, "hopLength must be positive")
        try require(melBandCount > 0 && melBandCount <= fftSize / 2, "melBandCount must be 1...fftSize/2")
        try require(minimumFrequency >= 0 && minimumFrequency < maximumFrequency
                    && maximumFrequency <= Double(sampleRate) / 2, "need 0 <= minimumFrequency < maximumFrequency <= sampleRate/2")
        try require(kind == .logMel || (coefficientCount > 0 && coefficientCount <= melBandCount),
                    "coefficientCount must be 1...melBandCount")
        if kind == .speechEmbedding {
            try require(sampleRate == 16_000 && fftSize == 512 && windowLength == 400 && hopLength == 160
                        && melBandCount == SpeechEmbeddingMel.bandCount && minimumFrequency == 60 && maximumFrequency == 3_800,
                        "a speech embedding needs its own mel front end (16 kHz, FFT 512, window 400, hop 160, 32 bands, 60-3800 Hz)")
            try require(!includesDeltas, "a speech embedding takes no deltas")
            try require(embeddingStep == 4 || embeddingStep == 8, "embeddingStep must be 4 or 8 frames")
        }
        if let edgePadding { try require(Self.edgePaddingRange.contains(edgePadding), "edgePadding must be 0 to 1 s") }
    }

    private enum CodingKeys: String, CodingKey {
        case sampleRate, fftSize, windowLength, hopLength, melBandCount, minimumFrequency, maximumFrequency,
             coefficientCount, kind, includesDeltas, normalization, stackedFrames, dynamicRange, energyNormalization, edgePadding,
             embeddingStep
    }

    /// Writes every field; ``embeddingStep`` only under a speech embedding, so that other
    /// configurations read back by older builds are what they wrote (and `stackedFrames: 1`,
    /// which those builds require).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sampleRate, forKey: .sampleRate)
        try container.encode(fftSize, forKey: .fftSize)
        try container.encode(windowLength, forKey: .windowLength)
        try container.encode(hopLength, forKey: .hopLength)
        try container.encode(melBandCount, forKey: .melBandCount)
        try container.encode(minimumFrequency, forKey: .minimumFrequency)
        try container.encode(maximumFrequency, forKey: .maximumFrequency)
        try container.encode(coefficientCount, forKey: .coefficientCount)
        try container.encode(kind, forKey: .kind)
        try container.encode(includesDeltas, forKey: .includesDeltas)
        try container.encode(normalization, forKey: .normalization)
        try container.encode(1, forKey: .stackedFrames)
        try container.encodeIfPresent(edgePadding, forKey: .edgePadding)
        if kind == .speechEmbedding { try container.encode(embeddingStep, forKey: .embeddingStep) }
    }

    /// Reads a configuration; one written before ``edgePadding`` existed has none.
    /// - Throws: ``FeatureError/retired(_:)`` for a front end that needs frame stacking, a
    ///   dynamic range floor or PCEN, which this version no longer has.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sampleRate = try container.decode(Int.self, forKey: .sampleRate)
        fftSize = try container.decode(Int.self, forKey: .fftSize)
        windowLength = try container.decode(Int.self, forKey: .windowLength)
        hopLength = try container.decode(Int.self, forKey: .hopLength)
        melBandCount = try container.decode(Int.self, forKey: .melBandCount)
        minimumFrequency = try container.decode(Double.self, forKey: .minimumFrequency)
        maximumFrequency = try container.decode(Double.self, forKey: .maximumFrequency)
        coefficientCount = try container.decode(Int.self, forKey: .coefficientCount)
        kind = try container.decode(Kind.self, forKey: .kind)
        includesDeltas = try container.decode(Bool.self, forKey: .includesDeltas)
        normalization = try container.decode(Normalization.self, forKey: .normalization)
        if let stacked = try container.decodeIfPresent(Int.self, forKey: .stackedFrames), stacked != 1 {
            throw FeatureError.retired("frame stacking (stackedFrames \(stacked))")
        }
        if let range = try container.decodeIfPresent(Double.self, forKey: .dynamicRange) {
            throw FeatureError.retired("a dynamic range floor (dynamicRange \(range) dB)")
        }
        if let timeConstant = try container.decodeIfPresent(Double.self, forKey: .energyNormalization) {
            throw FeatureError.retired("per-channel energy normalisation (energyNormalization \(timeConstant) s)")
        }
        edgePadding = try container.decodeIfPresent(Double.self, forKey: .edgePadding)
        embeddingStep = try container.decodeIfPresent(Int.self, forKey: .embeddingStep) ?? 4
    }
}
