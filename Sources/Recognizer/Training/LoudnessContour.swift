import Features
import Foundation

/// A random loudness curve laid over each clip at training time, a new draw for every clip
/// in every epoch: the level rises and falls smoothly by up to ± `maximumGain` dB over the
/// clip, so that how loud one sound is against the next (a hissed "th" against its vowel,
/// a soft final consonant) is not a cue the model can learn from a few voices. People move,
/// turn their heads and stress sounds differently; synthetic voices do not. A second curve,
/// if asked for, tilts the spectrum the same way: the top band gains what the bottom band
/// loses, as vocal effort and voices shift the balance of high and low frequencies.
public struct LoudnessContour: Sendable, Codable, Hashable {
    /// The level curve stays within ± this many dB.
    public var maximumGain: Double
    /// The tilt curve stays within ± this many dB: the top band's level minus the bottom
    /// band's changes by up to twice this, linearly across the bands in between.
    public var maximumTilt: Double
    /// The curves' knots are this far apart, drawn per clip and curve, in seconds.
    public var knotSpacing: ClosedRange<Double>

    /// Contour settings; zero gain and tilt leave clips as they are.
    public init(maximumGain: Double, maximumTilt: Double = 0, knotSpacing: ClosedRange<Double> = 0.08...0.25) {
        precondition(maximumGain >= 0 && maximumTilt >= 0 && knotSpacing.lowerBound > 0,
                     "the gain and tilt must be at least 0 and the spacing positive")
        self.maximumGain = maximumGain
        self.maximumTilt = maximumTilt
        self.knotSpacing = knotSpacing
    }

    /// A random curve of `frames` gains in dB, one per frame: knots at a random spacing
    /// (from a random phase) with gains drawn uniformly from ± `maximum`, joined by
    /// half-cosine steps so the curve has no corners.
    /// - Parameters:
    ///   - frames: the clip's frame count.
    ///   - frameSeconds: the time between frames (the hop).
    ///   - maximum: the bound of the gains in dB; `maximumGain` if absent.
    ///   - generator: the source of randomness; not drawn from when the bound is zero.
    public func curve(frames: Int, frameSeconds: Double, maximum: Double? = nil, using generator: inout SeededGenerator) -> [Double] {
        let bound = maximum ?? maximumGain
        guard bound > 0, frames > 0 else { return Array(repeating: 0, count: max(frames, 0)) }
        let spacing = Double.random(in: knotSpacing, using: &generator) / frameSeconds
        let phase = Double.random(in: 0..<1, using: &generator)
        let knotCount = Int((Double(frames) / spacing + phase).rounded(.up)) + 1
        let knots = (0...knotCount).map { _ in Double.random(in: -bound...bound, using: &generator) }
        return (0..<frames).map { t in
            let position = Double(t) / spacing + phase
            let below = Int(position), fraction = position - Double(below)
            let weight = (1 - cos(Double.pi * fraction)) / 2
            return (1 - weight) * knots[below] + weight * knots[below + 1]
        }
    }

    /// `base` (log-mel frames in dB, before deltas and normalisation) with a random level
    /// curve's gain added to every band of each frame, and a random tilt curve's, from minus
    /// its value at the bottom band to plus at the top.
    /// - Parameters:
    ///   - base: `[T, bands]` from ``FeatureExtractor/baseFrames(_:)``.
    ///   - frameSeconds: the time between frames.
    ///   - generator: the source of randomness.
    public func apply(to base: Matrix, frameSeconds: Double, using generator: inout SeededGenerator) -> Matrix {
        let gains = curve(frames: base.rows, frameSeconds: frameSeconds, using: &generator)
        let tilts = curve(frames: base.rows, frameSeconds: frameSeconds, maximum: maximumTilt, using: &generator)
        let slopes = (0..<base.columns).map { base.columns > 1 ? 2 * Double($0) / Double(base.columns - 1) - 1 : 0 }
        var result = base
        for t in 0..<base.rows {
            for c in 0..<base.columns { result[t, c] += Float(gains[t] + tilts[t] * slopes[c]) }
        }
        return result
    }
}
