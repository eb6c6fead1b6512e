import Features

/// Turns output frame indices into seconds: feature frame t covers samples [hop·t, hop·t + fftSize)
/// (with s stacked frames, [s·hop·t, s·hop·t + (s − 1)·hop + fftSize)),
/// output frame t averages feature frames [k·t, k·t + k) for a time reduction k, and a character
/// emitted at output frame t is placed in the k·s·hop-wide slot around that group's centre;
/// times count from the first sample of the input, after any edge padding.
public struct FrameTiming: Sendable, Hashable {
    /// Seconds between frames.
    public let shift: Double
    /// Seconds from frame 0's first sample to the centre of output frame 0, less the edge padding.
    public let centre: Double
    /// Length of the input, in seconds.
    public let duration: Double

    /// Timing for a front end, the model's time reduction and an input length.
    public init(features: FeatureConfiguration, timeReduction: Int = 1, duration: Double) {
        shift = features.frameShift * Double(timeReduction)
        centre = features.frameCentre + features.frameShift * Double(timeReduction - 1) / 2
            - Double(features.edgePaddingSamples) / Double(features.sampleRate)
        self.duration = duration
    }

    /// Start of frame `t`'s slot, in seconds.
    public func start(_ frame: Int) -> Double { min(duration, max(0, Double(frame) * shift + centre - shift / 2)) }

    /// End of frame `t`'s slot, in seconds.
    public func end(_ frame: Int) -> Double { min(duration, max(0, Double(frame) * shift + centre + shift / 2)) }
}
