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
    /// Consecutive frames concatenated into one after deltas and normalisation (a low frame
    /// rate front end: 2 gives frames every 2 hops holding both 10 ms frames); a trailing
    /// frame short of a full group is dropped.
    public var stackedFrames: Int = 1
    /// Dynamic range of the log-mel energies, in dB (``Kind/logMel`` only; nil = none): every
    /// band's energy is raised smoothly onto a floor this far below the utterance's loudest frame
    /// (its mean energy over the bands), before deltas and normalisation. Detail quieter than
    /// the floor (the silence of a clean recording, a faint noise bed) then looks the same in
    /// every recording, so a quiet room and a noisy one give closer features.
    public var dynamicRange: Double?
    /// Per-channel energy normalisation (PCEN, Wang et al. 2017) instead of the dB scale, with
    /// this smoother time constant in seconds (``Kind/logMel`` only; nil = none): every band's
    /// energy is divided by its own recent average (a one-pole smoother over frames) raised to
    /// 0.98, then compressed by a square root, after any ``dynamicRange`` floor and before
    /// deltas and normalisation. Steady sounds (hum, fan, a room's noise bed) settle to about
    /// the same small value at any level, and onsets stand out.
    public var energyNormalization: Double?
    /// Silence (zeros) put before and after the samples of every utterance before framing, in
    /// seconds (nil = none). Frames then cover the very first and last samples, and a recording
    /// cut tight around its word is heard with a little silence around it, as training clips are.
    public var edgePadding: Double?

    /// The reference configuration, optionally with another kind, deltas or normalisation.
    public init(kind: Kind = .mfcc, includesDeltas: Bool = false, normalization: Normalization = .none) {
        self.kind = kind
        self.includesDeltas = includesDeltas
        self.normalization = normalization
    }

    /// Values per frame before deltas: 13 for MFCC, 40 for log-mel by default.
    public var baseDimension: Int { kind == .mfcc ? coefficientCount : melBandCount }

    /// Values per frame as extracted: ``baseDimension``, tripled with deltas, times ``stackedFrames``.
    public var dimension: Int { baseDimension * (includesDeltas ? 3 : 1) * stackedFrames }

    /// Seconds between extracted (stacked) frames.
    public var frameShift: Double { Double(hopLength * stackedFrames) / Double(sampleRate) }

    /// Seconds from the first sample of an extracted frame to the centre of the windows it holds.
    public var frameCentre: Double { Double(fftSize + hopLength * (stackedFrames - 1)) / 2 / Double(sampleRate) }

    /// The ``edgePadding`` a front end may have, in seconds.
    public static let edgePaddingRange = 0.0...1.0
    /// The ``energyNormalization`` time constants a front end may have, in seconds.
    public static let energyNormalizationRange = 0.01...10.0

    /// ``edgePadding`` in whole samples, at each end.
    public var edgePaddingSamples: Int { Int(((edgePadding ?? 0) * Double(sampleRate)).rounded()) }

    /// Base frames (before stacking) for `sampleCount` samples: `1 + (N - fftSize) / hopLength`, no padding.
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
        try require((1...8).contains(stackedFrames), "stackedFrames must be 1...8")
        if let dynamicRange {
            try require(kind == .logMel, "dynamicRange needs kind logmel")
            try require(dynamicRange > 0 && dynamicRange <= 200, "dynamicRange must be above 0 and at most 200 dB")
        }
        if let edgePadding { try require(Self.edgePaddingRange.contains(edgePadding), "edgePadding must be 0 to 1 s") }
        if let energyNormalization {
            try require(kind == .logMel, "energyNormalization needs kind logmel")
            try require(Self.energyNormalizationRange.contains(energyNormalization), "energyNormalization must be 0.01 to 10 s")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case sampleRate, fftSize, windowLength, hopLength, melBandCount, minimumFrequency, maximumFrequency,
             coefficientCount, kind, includesDeltas, normalization, stackedFrames, dynamicRange, energyNormalization, edgePadding
    }

    /// Reads a configuration; those written before ``stackedFrames``, ``dynamicRange``,
    /// ``energyNormalization`` or ``edgePadding`` existed have none (1 frame, no floor, dB, no padding).
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
        stackedFrames = try container.decodeIfPresent(Int.self, forKey: .stackedFrames) ?? 1
        dynamicRange = try container.decodeIfPresent(Double.self, forKey: .dynamicRange)
        energyNormalization = try container.decodeIfPresent(Double.self, forKey: .energyNormalization)
        edgePadding = try container.decodeIfPresent(Double.self, forKey: .edgePadding)
    }
}
