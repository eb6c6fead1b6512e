import Features
import Foundation

/// Speaker and tempo variation applied to features at training time, a new draw for every
/// clip in every epoch: vocal-tract length perturbation (Jaitly & Hinton 2013) warps the
/// frequency axis by a factor near 1, and a tempo change stretches the time axis. Together
/// with ``SpecAugment`` they keep the model from learning the few synthetic voices by heart.
package struct SpeakerPerturbation: Sendable, Codable, Hashable {
    /// The frequency warp factor is drawn from `1 ± maximumWarp`.
    package var maximumWarp: Double
    /// The tempo factor is drawn from `1 ± maximumStretch`.
    package var maximumStretch: Double

    /// Perturbation settings; zero leaves that axis as it is.
    package init(maximumWarp: Double = 0.1, maximumStretch: Double = 0.1) {
        self.maximumWarp = maximumWarp
        self.maximumStretch = maximumStretch
    }

    /// A perturbed copy of `features`.
    /// - Parameters:
    ///   - features: `[T, dimension]` log-mel features, deltas (if any) after the base bands.
    ///   - configuration: the features' configuration (mel bands and edges).
    ///   - generator: the source of randomness.
    /// - Returns: the perturbed features.
    package func apply(to features: Matrix, configuration: FeatureConfiguration, using generator: inout SeededGenerator) -> Matrix {
        let warp = maximumWarp > 0 ? Double.random(in: (1 - maximumWarp)...(1 + maximumWarp), using: &generator) : 1
        let stretch = maximumStretch > 0 ? Double.random(in: (1 - maximumStretch)...(1 + maximumStretch), using: &generator) : 1
        var result = features
        if configuration.kind == .logMel && warp != 1 { result = Self.warpFrequencies(result, by: warp, configuration: configuration) }
        if stretch != 1 { result = Self.stretchTime(result, by: stretch) }
        return result
    }

    /// Each band takes the value the spectrum had at its centre frequency divided by `factor`
    /// (a longer vocal tract for factors above 1), interpolated between neighbouring bands.
    package static func warpFrequencies(_ features: Matrix, by factor: Double, configuration c: FeatureConfiguration) -> Matrix {
        let bands = c.melBandCount, parts = features.columns / bands
        let low = MelFilterbank.mel(c.minimumFrequency), high = MelFilterbank.mel(c.maximumFrequency)
        let step = (high - low) / Double(bands + 1)
        // The fractional band index each band reads from.
        let sources = (0..<bands).map { band -> Double in
            let centre = MelFilterbank.hertz(low + Double(band + 1) * step)
            let position = (MelFilterbank.mel(centre / factor) - low) / step - 1
            return min(max(position, 0), Double(bands - 1))
        }
        var result = features
        for t in 0..<features.rows {
            for part in 0..<parts {
                let base = part * bands
                for band in 0..<bands {
                    let below = Int(sources[band]), weight = Float(sources[band] - Double(below))
                    let above = min(below + 1, bands - 1)
                    result[t, base + band] = (1 - weight) * features[t, base + below] + weight * features[t, base + above]
                }
            }
        }
        return result
    }

    /// Resamples the frames to `round(T × factor)` by linear interpolation (a factor above 1
    /// is slower speech).
    package static func stretchTime(_ features: Matrix, by factor: Double) -> Matrix {
        let frames = features.rows
        guard frames > 1 else { return features }
        let count = max(1, Int((Double(frames) * factor).rounded()))
        var result = Matrix(rows: count, columns: features.columns)
        for t in 0..<count {
            let source = min(Double(t) * Double(frames - 1) / Double(max(count - 1, 1)), Double(frames - 1))
            let below = Int(source), weight = Float(source - Double(below))
            let above = min(below + 1, frames - 1)
            for c in 0..<features.columns {
                result[t, c] = (1 - weight) * features[below, c] + weight * features[above, c]
            }
        }
        return result
    }
}
