/// Audio ready for the front end: 16 kHz mono samples plus what the source was.
public struct DecodedAudio: Sendable, Hashable {
    /// Mono samples in [-1, 1] at ``AudioDecoder/sampleRate`` (16 kHz).
    public var samples: [Float]
    /// The sample rate of the source, in Hz.
    public var sourceSampleRate: Int
    /// The channel count of the source (mixed down to mono here).
    public var sourceChannelCount: Int

    /// Creates decoded audio from 16 kHz mono samples.
    public init(samples: [Float], sourceSampleRate: Int, sourceChannelCount: Int) {
        self.samples = samples
        self.sourceSampleRate = sourceSampleRate
        self.sourceChannelCount = sourceChannelCount
    }

    /// Length in seconds.
    public var duration: Double { Double(samples.count) / Double(AudioDecoder.sampleRate) }
}
