import Foundation

/// Background noise added to clips at training time, a new draw for every clip in every
/// epoch: a random stretch of a random noise recording at a random signal-to-noise ratio.
/// The synthesis recipe mixes noise into each clip once; this hears the same words through
/// noise they were not heard with before, so the noise is not learned together with the
/// voice.
package struct NoiseMixing: Sendable {
    /// The noise recordings, 16 kHz mono samples each (none empty).
    package var noises: [[Float]]
    /// The share of clips that get noise, 0...1.
    package var probability: Double
    /// The range the signal-to-noise ratio is drawn from, in dB.
    package var signalToNoise: ClosedRange<Double>

    /// Mixing settings.
    /// - Parameters:
    ///   - noises: 16 kHz mono noise recordings; empty and silent ones are left out.
    ///   - probability: the share of clips that get noise, 0...1.
    ///   - signalToNoise: the SNR range in dB (5...30: from loud noise to a faint one).
    package init(noises: [[Float]], probability: Double, signalToNoise: ClosedRange<Double>) {
        precondition((0...1).contains(probability), "probability must be in 0...1")
        self.noises = noises.filter { Self.power($0) > 0 }
        self.probability = probability
        self.signalToNoise = signalToNoise
    }

    /// A noisy copy of `samples`, or nil when this clip draws no noise this time (keep its
    /// features as they are).
    /// - Parameters:
    ///   - samples: the clip, 16 kHz mono.
    ///   - generator: the source of randomness; not drawn from when there is no noise to add.
    /// - Returns: the clip with noise added, as long as the clip, or nil.
    package func apply(to samples: [Float], using generator: inout SeededGenerator) -> [Float]? {
        guard !noises.isEmpty, probability > 0, !samples.isEmpty,
              Double.random(in: 0..<1, using: &generator) < probability else { return nil }
        let noise = noises[Int.random(in: 0..<noises.count, using: &generator)]
        let offset = Int.random(in: 0..<noise.count, using: &generator)
        let ratio = Double.random(in: signalToNoise, using: &generator)
        return Self.mix(samples, with: noise, offset: offset, signalToNoise: ratio)
    }

    /// `signal` plus the stretch of `noise` that starts at `offset` (wrapping around), scaled
    /// so that the clip's mean power over the noise's is `signalToNoise` dB.
    /// - Parameters:
    ///   - signal: the clip's samples.
    ///   - noise: a noise recording (as long as the clip or not: it is repeated).
    ///   - offset: where in `noise` the stretch starts.
    ///   - signalToNoise: the ratio of mean powers over the clip's length, in dB.
    /// - Returns: as many samples as `signal`; `signal` unchanged if either part is silent.
    package static func mix(_ signal: [Float], with noise: [Float], offset: Int, signalToNoise: Double) -> [Float] {
        guard !noise.isEmpty else { return signal }
        let stretch = (0..<signal.count).map { noise[(offset + $0) % noise.count] }
        let signalPower = power(signal), noisePower = power(stretch)
        guard signalPower > 0, noisePower > 0 else { return signal }
        let gain = Float((signalPower / (noisePower * pow(10, signalToNoise / 10))).squareRoot())
        return zip(signal, stretch).map { $0 + gain * $1 }
    }

    /// Mean square of `samples` (0 for none).
    static func power(_ samples: [Float]) -> Double {
        guard !samples.isEmpty else { return 0 }
        return samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
    }
}
