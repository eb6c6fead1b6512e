import Features
import Foundation

/// A decoded label sequence with the frame where each label was emitted.
public struct CTCPath: Sendable, Hashable {
    /// Alphabet classes, blanks removed and repeats collapsed.
    public var labels: [Int]
    /// The frame at which each label was first emitted.
    public var frames: [Int]
    /// Log-probability of the path (greedy) or of the prefix (beam search).
    public var score: Float

    /// Creates a path.
    public init(labels: [Int], frames: [Int], score: Float) {
        precondition(labels.count == frames.count, "one frame per label")
        self.labels = labels
        self.frames = frames
        self.score = score
    }

    /// Splits the path into words at space labels. Confidence is the geometric mean of the
    /// word's character probabilities at their emission frames.
    public func words(alphabet: Alphabet, logProbabilities: Matrix, timing: FrameTiming) -> [RecognizedWord] {
        var words: [RecognizedWord] = []
        var current: [Int] = []
        func flush() {
            guard let first = current.first, let last = current.last else { return }
            let text = alphabet.decode(current.map { labels[$0] })
            let meanLog = current.map { Double(logProbabilities[frames[$0], labels[$0]]) }.reduce(0, +) / Double(current.count)
            words.append(RecognizedWord(word: text, start: timing.start(frames[first]), end: timing.end(frames[last]),
                                        confidence: exp(meanLog)))
            current.removeAll()
        }
        for index in labels.indices {
            if labels[index] == alphabet.space { flush() } else { current.append(index) }
        }
        flush()
        return words
    }
}
