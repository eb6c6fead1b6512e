import Foundation

/// Where a whole recording is loud enough to be speech: the spans recognised words are placed on.
///
/// The recording is cut into 10 ms frames and each frame's level taken in dB. The noise floor
/// is the level of the quietest tenth of the frames; a frame is speech when it is louder than
/// `min(10, (peak − floor) / 2)` dB above that floor, no more than 35 dB below the loudest frame,
/// and above −60 dBFS. Runs of speech frames shorter than 30 ms (clicks) are dropped. Unlike
/// the live `Endpointer`, this sees the whole recording at once, so the floor needs no adapting.
public enum SpeechActivity {
    /// Length of a frame, in seconds.
    public static let frameSeconds = 0.01
    /// The shortest run of speech frames kept.
    static let minimumFrames = 3

    /// The spans of speech in a recording.
    /// - Parameters:
    ///   - samples: mono samples in [-1, 1].
    ///   - sampleRate: samples per second.
    /// - Returns: disjoint spans in seconds from the first sample, in time order; empty when
    ///   the recording is silent or too uniform (peak less than 3 dB above the floor) to tell.
    public static func spans(in samples: [Float], sampleRate: Int) -> [Range<Double>] {
        let frameLength = max(1, Int(Double(sampleRate) * frameSeconds))
        let frameCount = samples.count / frameLength
        guard frameCount > 0 else { return [] }
        let levels = samples.withUnsafeBufferPointer { buffer in
            (0..<frameCount).map { frame in
                var sum = 0.0
                for sample in buffer[(frame * frameLength)..<((frame + 1) * frameLength)] { sum += Double(sample) * Double(sample) }
                return 10 * log10(sum / Double(frameLength) + 1e-10)
            }
        }
        let peak = levels.max()!
        let floor = levels.sorted()[frameCount / 10]
        guard peak - floor >= 3 else { return [] }
        let threshold = max(floor + min(10, (peak - floor) / 2), peak - 35, -60)
        var spans: [Range<Double>] = []
        var runStart: Int?
        for frame in 0...frameCount {
            let isSpeech = frame < frameCount && levels[frame] > threshold
            if isSpeech, runStart == nil { runStart = frame }
            if !isSpeech, let start = runStart {
                if frame - start >= minimumFrames {
                    spans.append(Double(start * frameLength) / Double(sampleRate)..<Double(frame * frameLength) / Double(sampleRate))
                }
                runStart = nil
            }
        }
        return spans
    }
}
