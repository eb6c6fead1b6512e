import Features

/// Best-path CTC decoding: the most likely class at every frame, repeats collapsed, blanks
/// dropped (a blank between two equal letters keeps both).
public enum CTCGreedyDecoder {
    /// Decodes log-probabilities `[T, classes]`.
    /// - Returns: the labels and their emission frames; the score is the best path's log-probability.
    public static func decode(_ logProbabilities: Matrix) -> CTCPath {
        var labels: [Int] = [], frames: [Int] = []
        var previous = Alphabet.blank
        var score: Float = 0
        for t in 0..<logProbabilities.rows {
            let row = logProbabilities.row(t)
            var best = Alphabet.blank
            var bestValue = -Float.infinity
            for (offset, value) in row.enumerated() where value > bestValue {
                best = offset
                bestValue = value
            }
            score += bestValue
            if best != Alphabet.blank && best != previous {
                labels.append(best)
                frames.append(t)
            }
            previous = best
        }
        return CTCPath(labels: labels, frames: frames, score: score)
    }
}
