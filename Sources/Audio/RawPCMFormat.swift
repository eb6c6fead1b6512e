/// Headerless PCM as it arrives from a pipe (`parec --raw`, `sox -t raw`).
public struct RawPCMFormat: Sendable, Hashable, Codable {
    /// The sample encoding, always little-endian.
    public enum Encoding: String, Sendable, Hashable, Codable, CaseIterable {
        /// Signed 16-bit integers.
        case s16le
        /// 32-bit IEEE floats.
        case f32le

        /// Bytes in one sample of one channel.
        public var bytesPerSample: Int { self == .s16le ? 2 : 4 }
    }

    public var encoding: Encoding
    /// Frames per second, in Hz.
    public var sampleRate: Int
    /// Interleaved channels per frame.
    public var channelCount: Int

    /// Creates a raw PCM description.
    public init(encoding: Encoding, sampleRate: Int = 16_000, channelCount: Int = 1) {
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channelCount = channelCount
    }

    /// Bytes in one interleaved frame.
    public var bytesPerFrame: Int { encoding.bytesPerSample * channelCount }
}
