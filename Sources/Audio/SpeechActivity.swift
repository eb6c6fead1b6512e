import Foundation

/// Where a recording is loud enough to be speech: the spans recognised words are placed on,
/// and the pauses long recordings are split at.
///
/// The recording is cut into 10 ms frames and each frame's level taken in dB. Around each frame,
/// within a 3 s window (the whole recording, if shorter), the noise floor is the level of the
/// quietest tenth of the frames and the peak the loudest; the frame is speech when it is more
/// than `min(10, (peak − floor) / 2)` dB above that floor, no more than 35 dB below that peak,
/// and above −60 dBFS. Runs of speech frames shorter than 30 ms (clicks) are dropped. Unlike
/// the live `Endpointer`, this sees the whole recording at once: the window looks ahead too.
public enum SpeechActivity {
    /// Length of a frame, in seconds.
    public static let frameSeconds = 0.01
    /// The shortest run of speech frames kept.
    static let minimumFrames = 3
    /// Frames in the window the floor and peak are taken over.
    static let windowFrames = 300
    /// Frames that share one window (the window moves by this many).
    static let windowStep = 10

    /// The spans of speech in a recording.
    /// - Parameters:
    ///   - samples: mono samples in [-1, 1].
    ///   - sampleRate: samples per second.
    /// - Returns: disjoint spans in seconds from the first sample, in time order; none where
    ///   the recording is silent or too uniform (peak less than 3 dB above the floor) to tell.
    public static func spans(in samples: [Float], sampleRate: Int) -> [Range<Double>] {
        let frameLength = max(1, Int(Double(sampleRate) * frameSeconds))
        let frameCount = samples.count / frameLength
        guard frameCount > 0 else { return [] }
        let levels = samples.withUnsafeBufferPointer { buffer in
            (0..<frameCount).map { frame in frameLevel(buffer[(frame * frameLength)..<((frame + 1) * frameLength)]) }
        }
        var thresholds = [Double](repeating: .infinity, count: frameCount)
        var window: (first: Int, threshold: Double)?
        for step in stride(from: 0, to: frameCount, by: windowStep) {
            // Windows clamped at the ends (all of them, in a recording under 3 s) are the same one.
            let first = max(0, min(step + windowStep / 2 - windowFrames / 2, frameCount - windowFrames))
            if window?.first != first {
                let sorted = levels[first..<min(frameCount, first + windowFrames)].sorted()
                let (floor, peak) = (sorted[sorted.count / 10], sorted.last!)
                window = (first, peak - floor >= 3 ? max(floor + min(10, (peak - floor) / 2), peak - 35, -60) : .infinity)
            }
            for frame in step..<min(frameCount, step + windowStep) { thresholds[frame] = window!.threshold }
        }
        var spans: [Range<Double>] = []
        var runStart: Int?
        for frame in 0...frameCount {
            let isSpeech = frame < frameCount && levels[frame] > thresholds[frame]
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

    /// Groups spans of speech into utterances short enough to be heard one at a time.
    ///
    /// Spans less than `pause` apart join one utterance; an utterance longer than `longest`
    /// seconds is split at its longest pause, and its parts again, until each fits (a single
    /// span longer than that stays whole). Each utterance then takes up to `margin` seconds of
    /// the quiet on either side, never more than half the pause to its neighbour.
    /// - Parameters:
    ///   - spans: disjoint spans of speech in seconds, in time order (``spans(in:sampleRate:)``).
    ///   - duration: length of the recording, in seconds.
    ///   - longest: the longest utterance, in seconds, before its margins.
    ///   - pause: the shortest quiet, in seconds, that always separates two utterances.
    ///   - margin: quiet kept before and after each utterance, in seconds.
    /// - Returns: the utterances' spans in seconds, disjoint and in time order.
    public static func utterances(of spans: [Range<Double>], duration: Double, longest: Double,
                                  pause: Double = 0.3, margin: Double = 0.2) -> [Range<Double>] {
        var runs: [[Range<Double>]] = []
        for span in spans {
            if let last = runs.last?.last, span.lowerBound - last.upperBound < pause {
                runs[runs.count - 1].append(span)
            } else {
                runs.append([span])
            }
        }
        // A group too long is split at its longest pause, and its halves again if need be.
        func split(_ group: [Range<Double>]) -> [[Range<Double>]] {
            guard group.count > 1, group.last!.upperBound - group.first!.lowerBound > longest else { return [group] }
            let cut = (1..<group.count).max { group[$0].lowerBound - group[$0 - 1].upperBound < group[$1].lowerBound - group[$1 - 1].upperBound }!
            return split(Array(group[..<cut])) + split(Array(group[cut...]))
        }
        let groups = runs.flatMap(split).map { $0.first!.lowerBound..<$0.last!.upperBound }
        return groups.indices.map { index in
            let before = index > 0 ? (groups[index].lowerBound - groups[index - 1].upperBound) / 2 : margin
            let after = index + 1 < groups.count ? (groups[index + 1].lowerBound - groups[index].upperBound) / 2 : margin
            return max(0, groups[index].lowerBound - min(margin, before))..<min(duration, groups[index].upperBound + min(margin, after))
        }
    }
}
