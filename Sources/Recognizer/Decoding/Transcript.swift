/// What was recognised in one input: accepted text plus every segment with times.
public struct Transcript: Sendable, Hashable, Codable {
    /// Accepted words joined by spaces (never `[unk]`).
    public var text: String
    /// Every recognised segment in time order, `[unk]` included.
    public var words: [RecognizedWord]
    /// Length of the input, in seconds.
    public var duration: Double

    /// Creates a transcript; ``text`` is derived from the accepted words.
    public init(words: [RecognizedWord], duration: Double) {
        self.words = words
        self.duration = duration
        text = words.filter { !$0.isUnknown }.map(\.word).joined(separator: " ")
    }

    /// The same transcript with every word `seconds` later: an utterance's words on the clock
    /// of the stream or file it was cut from. The duration stays the utterance's.
    public func shifted(by seconds: Double) -> Transcript {
        var moved = self
        moved.words = words.map { RecognizedWord(word: $0.word, start: $0.start + seconds, end: $0.end + seconds, confidence: $0.confidence) }
        return moved
    }
}

/// One recognised word or phrase, or `[unk]` for speech outside the vocabulary.
public struct RecognizedWord: Sendable, Hashable, Codable {
    /// The word shown for speech that is none of the vocabulary.
    public static let unknown = "[unk]"

    /// The word or phrase, or ``unknown``.
    public var word: String
    /// Start, in seconds from the start of the input.
    public var start: Double
    /// End, in seconds from the start of the input.
    public var end: Double
    /// How sure the decoder is, in [0, 1].
    public var confidence: Double

    /// Creates a recognised word.
    public init(word: String, start: Double, end: Double, confidence: Double) {
        self.word = word
        self.start = start
        self.end = end
        self.confidence = min(1, max(0, confidence))
    }

    /// Whether this is speech outside the vocabulary.
    public var isUnknown: Bool { word == Self.unknown }
}
