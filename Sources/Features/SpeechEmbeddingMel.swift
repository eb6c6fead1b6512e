/// openWakeWord's mel front end, as its `melspectrogram.tflite` computes it, and the sizes of
/// the speech embedding that reads it (``FeatureConfiguration/Kind/speechEmbedding``).
///
/// A frame is the power spectrum of 400 samples under a periodic Hann window (centred in a
/// 512-point FFT, hop 160) of the samples scaled to 16-bit integers, through 32 Slaney mel
/// bands from 60 to 3800 Hz, in dB with a 1e-10 floor. openWakeWord computes 8 frames at a time
/// and raises each value to at most 80 dB below the loudest value of those 8 frames; then
/// divides by 10 and adds 2. Frames here are grouped the same way from the first frame (a
/// last group may be shorter).
public enum SpeechEmbeddingMel {
    /// Mel bands per frame.
    public static let bandCount = 32
    /// Frames one embedding reads (775 ms).
    public static let windowFrames = 76
    /// Values per embedding.
    public static let embeddingSize = 96
    /// Frames computed together by openWakeWord, whose loudest value sets the floor.
    public static let groupFrames = 8
    /// How far below a group's loudest value its floor lies, in dB.
    public static let topDecibels: Float = 80
    /// Samples in [-1, 1] are multiplied by this before framing (openWakeWord reads int16 values).
    public static let sampleScale: Float = 32_768

    /// Applies the group floors and the final scaling to dB frames, in place:
    /// `max(x, groupMax − 80) / 10 + 2`.
    /// - Parameter frames: `[frames, bands]` in dB.
    static func finish(_ frames: inout Matrix) {
        let width = frames.columns
        frames.values.withUnsafeMutableBufferPointer { values in
            for first in stride(from: 0, to: frames.rows, by: groupFrames) {
                let range = (first * width)..<(min(frames.rows, first + groupFrames) * width)
                let floor = (values[range].max() ?? 0) - topDecibels
                for i in range { values[i] = max(values[i], floor) / 10 + 2 }
            }
        }
    }
}
