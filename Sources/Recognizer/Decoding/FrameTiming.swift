import Features

/// Turns frame indices into seconds: frame t covers samples [hop·t, hop·t + fftSize), and a
/// character emitted at frame t is placed in the hop-wide slot around that window's centre.
public struct FrameTiming: Sendable, Hashable {
    /// Seconds between frames.
    public let shift: Double
    /// Seconds from a frame's first sample to its window centre.
    public let centre: Double
    /// Length of the input, in seconds.
    public let duration: Double

    /// Timing for a front end and an input length.
    public init(features: FeatureConfiguration, duration: Double) {
        shift = features.frameShift
        centre = Double(features.fftSize) / 2 / Double(features.sampleRate)
        self.duration = duration
    }

    /// Start of frame `t`'s slot, in seconds.
    public func start(_ frame: Int) -> Double { min(duration, max(0, Double(frame) * shift + centre - shift / 2)) }

    /// End of frame `t`'s slot, in seconds.
    public func end(_ frame: Int) -> Double { min(duration, max(0, Double(frame) * shift + centre + shift / 2)) }
}
