import Features
import Foundation

/// Scores a keyword or phrase anywhere in a window of frames, for keyword spotting.
///
/// The score is the best ratio, over every start and end inside the window, between the
/// keyword's best CTC alignment and the unconstrained best path over the same frames, per
/// letter: `exp((log p(keyword path) − log p(best path)) / letters)`, in [0, 1]. 1 means the
/// model's own best reading of some stretch is exactly the keyword.
public struct KeywordScorer: Sendable {
    /// The keyword or phrase, as given.
    public let keyword: String
    private let labels: [Int]
    private let space: Int?

    /// Prepares a scorer.
    /// - Throws: ``RecognizerError/invalidVocabulary(_:)`` if the alphabet cannot spell the keyword.
    public init(keyword: String, alphabet: Alphabet) throws {
        let vocabulary = try Vocabulary([keyword])
        let entry = vocabulary.entries[0]
        try alphabet.checkSpellable(entry)
        self.keyword = entry
        labels = alphabet.encode(entry)
        space = alphabet.space
    }

    /// The keyword's score in a window of frames.
    /// - Parameters:
    ///   - logProbabilities: `[T, classes]` from the model.
    ///   - frames: the window (all frames by default).
    /// - Returns: the score in [0, 1] and the frames of the best stretch (empty if the window is).
    public func score(_ logProbabilities: Matrix, frames: Range<Int>? = nil) -> (score: Double, frames: Range<Int>) {
        let window = frames ?? 0..<logProbabilities.rows
        let emissions = VocabularyDecoder.relativeEmissions(logProbabilities)
        let best = Self.bestSegment(emissions, classes: logProbabilities.columns, labels: labels, frames: window, space: space)
        let letters = labels.filter { $0 != space }.count
        return (best.score == -.infinity ? 0 : exp(Double(best.score) / Double(max(1, letters))), best.frames)
    }

    /// The best-scoring stretch of `frames` aligned to `labels` (CTC topology, free start and
    /// end), on relative emissions `log p − max log p`.
    static func bestSegment(_ emissions: [Float], classes: Int, labels: [Int], frames: Range<Int>, space: Int?)
        -> (score: Float, frames: Range<Int>) {
        let states = 2 * labels.count + 1
        guard !labels.isEmpty, !frames.isEmpty else { return (-.infinity, frames.lowerBound..<frames.lowerBound) }
        func label(_ s: Int) -> Int { s % 2 == 0 ? Alphabet.blank : labels[s / 2] }
        var score = [Float](repeating: -.infinity, count: states), next = score
        var start = [Int](repeating: 0, count: states), nextStart = start
        var best: (score: Float, frames: Range<Int>) = (-.infinity, frames.lowerBound..<frames.lowerBound)
        for t in frames {
            for s in 0..<states {
                var value = score[s], from = start[s]
                if s >= 1 && score[s - 1] > value { value = score[s - 1]; from = start[s - 1] }
                if s % 2 == 1 && s >= 3 && labels[s / 2] != labels[s / 2 - 1] && score[s - 2] > value {
                    value = score[s - 2]; from = start[s - 2]
                }
                // The first letter (or the blank before it) may start at any frame.
                if s <= 1 && 0 > value { value = 0; from = t }
                next[s] = value == -.infinity ? value : value + emissions[t * classes + label(s)]
                nextStart[s] = from
            }
            swap(&score, &next)
            swap(&start, &nextStart)
            for s in [states - 2, states - 1] where score[s] > best.score {
                best = (score[s], start[s]..<(t + 1))
            }
        }
        return best
    }
}
