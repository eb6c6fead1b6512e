import Features
import Foundation

/// SpecAugment-style masking (Park et al. 2019): a few random runs of frames and of
/// feature dimensions are set to zero, the mean of normalised features, so the model
/// cannot lean on any one moment or band.
package struct SpecAugment: Sendable, Codable, Hashable {
    /// Runs of frames masked per utterance.
    package var timeMaskCount: Int
    /// Longest run of masked frames.
    package var maximumTimeMask: Int
    /// Runs of dimensions masked per utterance.
    package var frequencyMaskCount: Int
    /// Longest run of masked dimensions.
    package var maximumFrequencyMask: Int

    /// Masking settings; all zero counts leave the features as they are.
    package init(timeMaskCount: Int = 2, maximumTimeMask: Int = 8, frequencyMaskCount: Int = 2, maximumFrequencyMask: Int = 5) {
        self.timeMaskCount = timeMaskCount
        self.maximumTimeMask = maximumTimeMask
        self.frequencyMaskCount = frequencyMaskCount
        self.maximumFrequencyMask = maximumFrequencyMask
    }

    /// A masked copy of `features`. With deltas, a masked band is masked in all three parts.
    /// - Parameters:
    ///   - features: `[T, dimension]`.
    ///   - bands: dimensions per part (the base dimension; equals `dimension` without deltas).
    ///   - generator: the source of randomness.
    package func apply(to features: Matrix, bands: Int, using generator: inout SeededGenerator) -> Matrix {
        var result = features
        let frames = features.rows, parts = max(1, features.columns / max(bands, 1))
        if frames > 0 {
            for _ in 0..<timeMaskCount where maximumTimeMask > 0 {
                let width = Int.random(in: 0...min(maximumTimeMask, frames / 5), using: &generator)
                let start = Int.random(in: 0...(frames - width), using: &generator)
                for t in start..<(start + width) {
                    for c in 0..<features.columns { result[t, c] = 0 }
                }
            }
        }
        for _ in 0..<frequencyMaskCount where maximumFrequencyMask > 0 && bands > 0 {
            let width = Int.random(in: 0...min(maximumFrequencyMask, bands), using: &generator)
            let start = Int.random(in: 0...(bands - width), using: &generator)
            for t in 0..<frames {
                for part in 0..<parts {
                    for band in start..<(start + width) { result[t, part * bands + band] = 0 }
                }
            }
        }
        return result
    }
}
