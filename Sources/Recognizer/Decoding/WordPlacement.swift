/// Places recognised words on the spans of a recording that hold speech.
///
/// A bidirectional network may emit a word's letters anywhere in its context (the shipped model
/// often emits them in the silence before or after the word), so the frames of a CTC path give
/// the words' order but not their times. Here the words, in that order, share out the speech
/// (``SpeechActivity``) in proportion to their lengths in letters: each boundary between two
/// words goes to the pause between speech spans nearest its proportional place, or, when no
/// pause lies within a fifth of the speech of it, is cut at that place.
public enum WordPlacement {
    /// How far (a fraction of all the speech) a boundary may move to reach a pause.
    static let reach = 0.2

    /// The words with times taken from the speech.
    /// - Parameters:
    ///   - words: recognised words in time order.
    ///   - speech: disjoint spans of speech in seconds, in time order.
    /// - Returns: the same words, confidences and order with new `start` and `end`; the words
    ///   unchanged when there is no speech to place them on.
    public static func place(_ words: [RecognizedWord], on speech: [Range<Double>]) -> [RecognizedWord] {
        guard !words.isEmpty, !speech.isEmpty else { return words }
        // Speech time: seconds of speech before a point, pauses left out.
        var before = [0.0]
        for span in speech { before.append(before.last! + span.upperBound - span.lowerBound) }
        let total = before.last!
        let letters = words.map { Double(max(1, $0.word.count)) }
        let share = letters.reduce(0, +)
        var target: [Double] = []
        var sum = 0.0
        for count in letters.dropLast() {
            sum += count
            target.append(total * sum / share)
        }
        let boundaries = bestBoundaries(targets: target, pauses: Array(before.dropFirst().dropLast()), total: total)
        let starts = [0.0] + boundaries, ends = boundaries + [total]
        return words.indices.map { index in
            var word = words[index]
            word.start = time(atSpeech: starts[index], of: speech, before: before, leaving: true)
            word.end = time(atSpeech: ends[index], of: speech, before: before, leaving: false)
            return word
        }
    }

    /// Boundaries in speech time, each at a pause or at its target, strictly increasing,
    /// with the least summed squared distance to the targets (a cut away from a pause costs `reach`²).
    private static func bestBoundaries(targets: [Double], pauses: [Double], total: Double) -> [Double] {
        guard !targets.isEmpty else { return [] }
        // best[i][c]: the least cost of boundaries 0...i with boundary i at candidate c (a pause
        // index, or pauses.count for the cut at its own target); from[i][c]: boundary i − 1's candidate.
        let candidateCount = pauses.count + 1
        func position(_ boundary: Int, _ candidate: Int) -> Double {
            candidate < pauses.count ? pauses[candidate] : targets[boundary]
        }
        func cost(_ boundary: Int, _ candidate: Int) -> Double {
            guard candidate < pauses.count else { return reach * reach }
            let distance = (pauses[candidate] - targets[boundary]) / total
            return distance * distance
        }
        var best = [[Double]](repeating: [Double](repeating: .infinity, count: candidateCount), count: targets.count)
        var from = [[Int]](repeating: [Int](repeating: -1, count: candidateCount), count: targets.count)
        for candidate in 0..<candidateCount where position(0, candidate) > 0 {
            best[0][candidate] = cost(0, candidate)
        }
        for boundary in 1..<targets.count {
            for candidate in 0..<candidateCount {
                let here = position(boundary, candidate)
                for previous in 0..<candidateCount where best[boundary - 1][previous] < best[boundary][candidate]
                    && position(boundary - 1, previous) < here {
                    let sum = best[boundary - 1][previous] + cost(boundary, candidate)
                    if sum < best[boundary][candidate] {
                        best[boundary][candidate] = sum
                        from[boundary][candidate] = previous
                    }
                }
            }
        }
        let lastBoundary = targets.count - 1
        var candidate = (0..<candidateCount).filter { position(lastBoundary, $0) < total }
            .min { best[lastBoundary][$0] < best[lastBoundary][$1] }!
        var positions: [Double] = []
        for boundary in stride(from: lastBoundary, through: 0, by: -1) {
            positions.append(position(boundary, candidate))
            candidate = from[boundary][candidate]
        }
        return positions.reversed()
    }

    /// The time at a point of speech time: a word starting at a pause starts at the next span,
    /// a word ending at one ends with the span before.
    private static func time(atSpeech point: Double, of speech: [Range<Double>], before: [Double], leaving: Bool) -> Double {
        let index = speech.indices.first { leaving ? before[$0 + 1] > point : before[$0 + 1] >= point } ?? speech.count - 1
        return min(speech[index].upperBound, speech[index].lowerBound + max(0, point - before[index]))
    }
}
