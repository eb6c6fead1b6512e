import Features
import Foundation

/// Decodes into a vocabulary: the best sequence of command words and phrases, `[unk]` for
/// speech that is none of them, nothing for silence.
///
/// Viterbi search over one graph: every entry as a CTC state chain (the space inside a phrase
/// optional), a silence state (blank or space), and a garbage loop that spells any letters
/// (the `[unk]` path, entered at a penalty). Emissions are scored against the unconstrained
/// best class at each frame, `log p(t, k) − max_j log p(t, j)`, so a path's score is its
/// log-ratio to the free best path. A word's confidence is that ratio per character,
/// `exp(score / letters)`; a word below ``rejectionThreshold`` is reported as `[unk]`. Unrelated
/// speech is therefore not forced onto a listed word.
public struct VocabularyDecoder: Sendable {
    /// The entries searched for.
    public let vocabulary: Vocabulary
    /// Log-penalty for entering the `[unk]` loop (more negative: fewer `[unk]`, more forced words).
    public var unknownPenalty: Float
    /// Words whose confidence falls below this are reported as `[unk]`.
    public var rejectionThreshold: Double
    /// Per entry, a lowest confidence that replaces ``rejectionThreshold`` (a calibrated personal
    /// model's, ``Personalization/thresholds``).
    public var entryThresholds: [String: Double] = [:]

    /// The default `[unk]` penalty.
    public static let defaultUnknownPenalty: Float = -4
    /// The default lowest confidence of an accepted word, chosen with the default `[unk]` penalty
    /// on the held-out speakers of real-train and its training noise (docs/MODEL.md).
    public static let defaultRejectionThreshold = 0.25

    private let graph: DecodingGraph
    private let entryLabels: [[Int]]

    /// Builds the search graph for a vocabulary.
    /// - Parameters:
    ///   - vocabulary: command words and phrases.
    ///   - alphabet: the model's alphabet; every character of every entry must be in it.
    ///   - unknownPenalty: log-penalty for an `[unk]` segment.
    ///   - rejectionThreshold: lowest confidence for an accepted word.
    /// - Throws: ``RecognizerError/invalidVocabulary(_:)`` naming an entry the alphabet cannot spell.
    public init(vocabulary: Vocabulary, alphabet: Alphabet, unknownPenalty: Float = defaultUnknownPenalty,
                rejectionThreshold: Double = defaultRejectionThreshold) throws {
        for entry in vocabulary.entries { try alphabet.checkSpellable(entry) }
        self.vocabulary = vocabulary
        self.unknownPenalty = unknownPenalty
        self.rejectionThreshold = rejectionThreshold
        entryLabels = vocabulary.entries.map(alphabet.encode)
        graph = DecodingGraph(entries: entryLabels, alphabet: alphabet)
    }

    /// Decodes log-probabilities `[T, classes]` into recognised words.
    public func decode(_ logProbabilities: Matrix, timing: FrameTiming) -> [RecognizedWord] {
        let frames = logProbabilities.rows
        guard frames > 0 else { return [] }
        let emissions = Self.relativeEmissions(logProbabilities)
        let segments = graph.viterbi(emissions, classes: logProbabilities.columns, unknownPenalty: unknownPenalty)
        return segments.map { segment in
            let start = timing.start(segment.firstEmission), end = timing.end(segment.lastEmission)
            if let entry = segment.entry {
                let letters = entryLabels[entry].filter { $0 != graph.space }.count
                let confidence = exp(Double(segment.score) / Double(max(1, letters)))
                if confidence >= entryThresholds[vocabulary.entries[entry], default: rejectionThreshold] {
                    return RecognizedWord(word: vocabulary.entries[entry], start: start, end: end, confidence: confidence)
                }
                return RecognizedWord(word: RecognizedWord.unknown, start: start, end: end, confidence: 1 - confidence)
            }
            let best = bestEntryConfidence(emissions, classes: logProbabilities.columns, frames: segment.frames)
            return RecognizedWord(word: RecognizedWord.unknown, start: start, end: end, confidence: 1 - best)
        }
    }

    /// The highest per-letter ratio any entry reaches when forced onto `frames`.
    private func bestEntryConfidence(_ emissions: [Float], classes: Int, frames: Range<Int>) -> Double {
        entryLabels.map { labels in
            let score = KeywordScorer.bestSegment(emissions, classes: classes, labels: labels, frames: frames, space: graph.space).score
            return exp(Double(score) / Double(max(1, labels.filter { $0 != graph.space }.count)))
        }.max() ?? 0
    }

    /// `log p(t, k) − max_j log p(t, j)`: 0 for the best class, negative otherwise.
    static func relativeEmissions(_ logProbabilities: Matrix) -> [Float] {
        var values = logProbabilities.values
        let columns = logProbabilities.columns
        for t in 0..<logProbabilities.rows {
            let maximum = logProbabilities.row(t).max() ?? 0
            for c in 0..<columns { values[t * columns + c] -= maximum }
        }
        return values
    }
}

/// One stretch of the best path: an entry, `[unk]` (entry nil), with its frames and score.
struct DecodedSegment {
    var entry: Int?
    var frames: Range<Int>
    var firstEmission: Int
    var lastEmission: Int
    var score: Float
}

/// The states of the vocabulary search and their transitions.
struct DecodingGraph: Sendable {
    /// What a state emits.
    enum Emission: Equatable {
        case label(Int)
        /// Blank or space, whichever is likelier.
        case silence
        /// Any letter (not blank, not space), whichever is likeliest.
        case anyLetter
    }

    var emission: [Emission] = []
    var predecessors: [[Int]] = []
    var canStart: [Bool] = []
    var canEnd: [Bool] = []
    /// The entry a state belongs to; -1 silence, -2 garbage.
    var owner: [Int] = []
    /// Whether being in this state at a frame means a letter was emitted there.
    var emits: [Bool] = []
    let space: Int?

    static let silenceOwner = -1, garbageOwner = -2

    init(entries: [[Int]], alphabet: Alphabet) {
        space = alphabet.space
        func add(_ e: Emission, owner: Int, start: Bool, end: Bool, emits: Bool) -> Int {
            emission.append(e)
            predecessors.append([])
            canStart.append(start)
            canEnd.append(end)
            self.owner.append(owner)
            self.emits.append(emits)
            return emission.count - 1
        }
        let silence = add(.silence, owner: Self.silenceOwner, start: true, end: true, emits: false)
        predecessors[silence] = [silence]
        let letter = add(.anyLetter, owner: Self.garbageOwner, start: true, end: true, emits: true)
        let gap = add(.label(Alphabet.blank), owner: Self.garbageOwner, start: false, end: true, emits: false)
        predecessors[letter] = [letter, gap]
        predecessors[gap] = [letter, gap]

        for (entry, labels) in entries.enumerated() {
            // Standard CTC chain: blank, l0, blank, l1, …, blank. A space inside a phrase may be
            // skipped (the model may separate words by blanks alone).
            var states: [Int] = []
            for (index, label) in labels.enumerated() {
                states.append(add(.label(Alphabet.blank), owner: entry, start: index == 0, end: false, emits: false))
                states.append(add(.label(label), owner: entry, start: index == 0, end: index == labels.count - 1, emits: label != space))
            }
            states.append(add(.label(Alphabet.blank), owner: entry, start: false, end: true, emits: false))
            for position in states.indices {
                let state = states[position]
                var preds = [state]
                if position >= 1 { preds.append(states[position - 1]) }
                if position % 2 == 1 && position >= 3 && labels[position / 2] != labels[position / 2 - 1] {
                    preds.append(states[position - 2])
                }
                // Skipping an optional space: from the letter or blank before it to the blank
                // or letter after it.
                if position % 2 == 0, position >= 2, labels[position / 2 - 1] == space, position >= 3 {
                    preds += [states[position - 3], states[position - 2]]
                }
                if position % 2 == 1, position >= 5, labels[position / 2 - 1] == space {
                    preds.append(states[position - 3])
                    // Letter to letter directly only if they differ (CTC merges repeats).
                    if labels[position / 2] != labels[position / 2 - 2] { preds.append(states[position - 4]) }
                }
                predecessors[state] = preds
            }
        }
    }

    /// The best path's segments (silence dropped).
    func viterbi(_ emissions: [Float], classes: Int, unknownPenalty: Float) -> [DecodedSegment] {
        let frames = emissions.count / classes, count = emission.count
        var score = [Float](repeating: -.infinity, count: count)
        var nextScore = score
        // back[t * count + s]: the predecessor state, or -1 when s started a segment at t.
        var back = [Int32](repeating: -1, count: frames * count)
        var bestEnd = [Int32](repeating: 0, count: frames)
        var previousBestEnd: Float = 0

        func emit(_ t: Int, _ state: Int) -> Float {
            let row = t * classes
            switch emission[state] {
            case .label(let label): return emissions[row + label]
            case .silence: return max(emissions[row + Alphabet.blank], space.map { emissions[row + $0] } ?? -.infinity)
            case .anyLetter:
                var best = -Float.infinity
                for c in 1..<classes where c != space { best = max(best, emissions[row + c]) }
                return best
            }
        }

        for t in 0..<frames {
            var endValue = -Float.infinity, endState = 0
            for s in 0..<count {
                var best = -Float.infinity, from: Int32 = -1
                if t > 0 {
                    for p in predecessors[s] where score[p] > best {
                        best = score[p]
                        from = Int32(p)
                    }
                }
                if canStart[s] {
                    let entering = previousBestEnd + (owner[s] == Self.garbageOwner ? unknownPenalty : 0)
                    if entering > best {
                        best = entering
                        from = -1
                    }
                }
                nextScore[s] = best == -.infinity ? best : best + emit(t, s)
                back[t * count + s] = from
                if canEnd[s] && nextScore[s] > endValue {
                    endValue = nextScore[s]
                    endState = s
                }
            }
            swap(&score, &nextScore)
            bestEnd[t] = Int32(endState)
            previousBestEnd = endValue
        }

        // Walk back from the best final state, cutting the path where segments start.
        var segments: [DecodedSegment] = []
        var state = Int(bestEnd[frames - 1])
        var t = frames - 1
        var segmentEnd = frames, owner = self.owner[state]
        var firstEmission = -1, lastEmission = -1
        var segmentScore: Float = 0
        while t >= 0 {
            segmentScore += emit(t, state)
            if emits[state] {
                if lastEmission < 0 { lastEmission = t }
                firstEmission = t
            }
            let from = back[t * count + state]
            if from < 0 {
                if owner != Self.silenceOwner && lastEmission >= 0 {
                    segments.append(DecodedSegment(entry: owner >= 0 ? owner : nil, frames: t..<segmentEnd,
                                                   firstEmission: firstEmission, lastEmission: lastEmission, score: segmentScore))
                }
                guard t > 0 else { break }
                state = Int(bestEnd[t - 1])
                segmentEnd = t
                owner = self.owner[state]
                firstEmission = -1
                lastEmission = -1
                segmentScore = 0
            } else {
                state = Int(from)
            }
            t -= 1
        }
        return segments.reversed()
    }
}
