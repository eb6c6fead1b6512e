import Audio

/// Speed perturbation at training time, a new draw for every clip in every epoch: the clip
/// is played faster or slower by resampling its waveform, which moves pitch, formants and
/// tempo together (Ko et al., "Audio augmentation for speech recognition", 2015). Unlike
/// ``SpeakerPerturbation``, which warps the features, this works on the samples, so it also
/// reaches a front end whose features cannot be warped (the speech embedding).
package struct SpeedPerturbation: Sendable {
    /// The share of clips that are resampled, 0...1.
    package var probability: Double
    /// The largest change of speed: factors are drawn from 1 ± this.
    package var maximumChange: Double

    /// Perturbation settings.
    /// - Parameters:
    ///   - probability: the share of clips that are resampled, 0...1.
    ///   - maximumChange: the largest change of speed, in 0..<0.5 (0.1: from 0.9 to 1.1 times).
    package init(probability: Double, maximumChange: Double) {
        precondition((0...1).contains(probability), "probability must be in 0...1")
        precondition((0..<0.5).contains(maximumChange), "maximumChange must be in 0..<0.5")
        self.probability = probability
        self.maximumChange = maximumChange
    }

    /// A copy of `samples` played at a random speed, or nil when this clip draws no change
    /// this time (keep it as it is).
    /// - Parameters:
    ///   - samples: the clip, 16 kHz mono.
    ///   - generator: the source of randomness; not drawn from when nothing can change.
    /// - Returns: the resampled clip (about `samples.count / factor` samples), or nil.
    /// - Throws: ``AudioError/resampling(reason:)`` if libsamplerate refuses the ratio.
    package func apply(to samples: [Float], using generator: inout SeededGenerator) throws -> [Float]? {
        guard maximumChange > 0, probability > 0, !samples.isEmpty,
              Double.random(in: 0..<1, using: &generator) < probability else { return nil }
        let factor = Double.random(in: (1 - maximumChange)...(1 + maximumChange), using: &generator)
        return try Self.play(samples, atSpeed: factor)
    }

    /// `samples` played `factor` times as fast: read as if recorded at 16 kHz × `factor` and
    /// converted to 16 kHz (libsamplerate's sinc converter).
    /// - Parameters:
    ///   - samples: 16 kHz mono samples.
    ///   - factor: the speed, above 0 (1.1: a tenth faster, higher and shorter).
    /// - Returns: about `samples.count / factor` samples at 16 kHz.
    /// - Throws: ``AudioError/resampling(reason:)`` if libsamplerate refuses the ratio.
    package static func play(_ samples: [Float], atSpeed factor: Double) throws -> [Float] {
        let rate = AudioDecoder.sampleRate
        let sourceRate = Int((Double(rate) * factor).rounded())
        guard sourceRate != rate else { return samples }
        return try Resampler(from: sourceRate, to: rate).process(samples, isFinal: true)
    }
}
