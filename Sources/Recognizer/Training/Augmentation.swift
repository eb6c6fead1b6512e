import Features

/// The augmentation pipeline of a training run, applied anew to every clip in every epoch:
/// speed perturbation of the samples, then noise mixing (both re-run the front end), then the
/// speaker warp and tempo stretch of the features, then SpecAugment's masks.
struct Augmentation {
    private let set: TrainingSet
    private let features: FeatureConfiguration
    private let extractor: FrontEnd
    private let speed: SpeedPerturbation
    private let mixing: NoiseMixing?
    private let perturbation: SpeakerPerturbation
    private let masking: SpecAugment

    /// The pipeline `configuration` describes, over `data`'s clips.
    /// - Throws: ``RecognizerError/invalidTraining(field:reason:)`` when noise mixing is asked for and no
    ///   clip is noise; the front end's error when it cannot be built.
    init(configuration c: TrainingConfiguration, features: FeatureConfiguration, embedding: SpeechEmbedding?, data: TrainingSet) throws {
        set = data
        self.features = features
        extractor = try FrontEnd(configuration: features, speechEmbedding: embedding)
        speed = SpeedPerturbation(probability: c.speedShare, maximumChange: c.speedChange)
        mixing = c.noiseMix > 0
            ? NoiseMixing(noises: data.clips.filter { $0.example.labels.isEmpty }.map(\.samples), probability: c.noiseMix,
                          signalToNoise: c.noiseSignalToNoise) : nil
        if let mixing, mixing.noises.isEmpty {
            throw RecognizerError.invalidTraining(field: "noiseMix", reason: "needs clips without words in the training data (noise clips or a 'none' folder)")
        }
        perturbation = SpeakerPerturbation(maximumWarp: c.warp, maximumStretch: c.stretch)
        // Two runs of frames of at most `timeMask` ms (whole frames, rounded down), two runs of at most `frequencyMask` bands.
        let maskFrames = c.timeMask * features.sampleRate / (1000 * features.hopLength)
        masking = SpecAugment(maximumTimeMask: c.timeMask == 0 ? 0 : max(1, maskFrames), maximumFrequencyMask: c.frequencyMask)
    }

    /// One augmented view of clip `index`, drawn from its own seed.
    func view(of index: Int, seed: UInt64) throws -> TrainingExample {
        var generator = SeededGenerator(seed: seed)
        let clip = set.clips[index]
        var example = clip.example
        // Speech is resampled first, so that the noise added after keeps its own pitch.
        let spoken = clip.example.labels.isEmpty ? nil : try speed.apply(to: clip.samples, using: &generator)
        if let samples = mixing.flatMap({ $0.apply(to: spoken ?? clip.samples, using: &generator) }) ?? spoken {
            example.features = extractor.postprocess(extractor.baseFrames(samples))
        }
        let perturbed = perturbation.apply(to: example.features, configuration: features, using: &generator)
        let bands = features.kind == .speechEmbedding ? features.dimension : features.baseDimension
        return TrainingExample(features: masking.apply(to: perturbed, bands: bands, using: &generator), labels: example.labels)
    }
}
