import Features
import Foundation

/// A random loudness curve laid over each clip at training time, a new draw for every clip
/// in every epoch: the level rises and falls smoothly by up to ± `maximumGain` dB over the
/// clip, so that how loud one sound is against the next (a hissed "th" against its vowel,
/// a soft final consonant) is not a cue the model can learn from a few voices. People move,
/// turn their heads and stress sounds differently; synthetic voices do not.
public struct LoudnessContour: Sendable, Codable, Hashable {
    /// The curve stays within ± this many dB.
    public var maximumGain: Double
    /// The curve's knots are this far apart, drawn per clip, in seconds.
    public var knotSpacing: ClosedRange<Double>

    /// Contour settings; a zero gain leaves clips as they are.
    public init(maximumGain: Double, knotSpacing: ClosedRange<Double> = 0.08...0.25) {
        precondition(maximumGain >= 0 && knotSpacing.lowerBound > 0, "the gain must be at least 0 and the spacing positive")
        self.maximumGain = maximumGain
        self.knotSpacing = knotSpacing
    }

    /// A random curve of `frames` gains in dB, one per frame: knots at a random spacing
    /// (from a random phase) with gains drawn uniformly from ± `maximumGain`, joined by
    /// half-cosine steps so the curve has no corners.
    /// - Parameters:
    ///   - frames: the clip's frame count.
    ///   - frameSeconds: the time between frames (the hop).
    ///   - generator: the source of randomness; not drawn from when the gain is zero.
    public func curve(frames: Int, frameSeconds: Double, using generator: inout SeededGenerator) -> [Double] {
        guard maximumGain > 0, frames > 0 else { return Array(repeating: 0, count: max(frames, 0)) }
        let spacing = Double.random(in: knotSpacing, using: &generator) / frameSeconds
        let phase = Double.random(in: 0..<1, using: &generator)
        let knotCount = Int((Double(frames) / spacing + phase).rounded(.up)) + 1
        let knots = (0...knotCount).map { _ in Double.random(in: -maximumGain...maximumGain, using: &generator) }
        return (0..<frames).map { t in
            let position = Double(t) / spacing + phase
            let below = Int(position), fraction = position - Double(below)
            let weight = (1 - cos(Double.pi * fraction)) / 2
            return (1 - weight) * knots[below] + weight * knots[below + 1]
        }
    }

    /// `base` (log-mel frames in dB, before deltas and normalisation) with a random curve's
    /// gain added to every band of each frame.
    /// - Parameters:
    ///   - base: `[T, bands]` from ``FeatureExtractor/baseFrames(_:)``.
    ///   - frameSeconds: the time between frames.
    ///   - generator: the source of randomness.
    public func apply(to base: Matrix, frameSeconds: Double, using generator: inout SeededGenerator) -> Matrix {
        let gains = curve(frames: base.rows, frameSeconds: frameSeconds, using: &generator)
        var result = base
        for t in 0..<base.rows {
            let gain = Float(gains[t])
            for c in 0..<base.columns { result[t, c] += gain }
        }
        return result
    }
}
