import Recognizer
import Testing

@Suite("WordPlacement")
struct WordPlacementTests {
    static func words(_ texts: String...) -> [RecognizedWord] {
        texts.map { RecognizedWord(word: $0, start: 0, end: 0.01, confidence: 0.9) }
    }

    static func times(_ words: [RecognizedWord]) -> [[Double]] {
        words.map { [($0.start * 1000).rounded() / 1000, ($0.end * 1000).rounded() / 1000] }
    }

    @Test("One word spans all the speech, pauses included; text and confidence are kept")
    func oneWord() {
        let placed = WordPlacement.place(Self.words("stop"), on: [0.2..<0.3, 0.35..<0.6])
        #expect(Self.times(placed) == [[0.2, 0.6]])
        #expect(placed[0].word == "stop" && placed[0].confidence == 0.9)
    }

    @Test("A boundary goes to the pause nearest its share of the speech")
    func boundaryAtPause() {
        // "go" (2 letters) and "left" (4): the boundary belongs a third of the way through the speech.
        let placed = WordPlacement.place(Self.words("go", "left"), on: [0.1..<0.3, 0.32..<0.45, 0.5..<0.7])
        #expect(Self.times(placed) == [[0.1, 0.3], [0.32, 0.7]])
    }

    @Test("Without a pause in reach, the speech is cut in proportion to the letters")
    func cut() {
        #expect(Self.times(WordPlacement.place(Self.words("yes", "yes"), on: [0.2..<1.0])) == [[0.2, 0.6], [0.6, 1.0]])
        // The only pause is 0.4 of the speech from the even split: too far.
        #expect(Self.times(WordPlacement.place(Self.words("on", "on"), on: [0.0..<0.1, 0.2..<1.1])) == [[0.0, 0.6], [0.6, 1.1]])
    }

    @Test("More words than spans: pauses first, cuts where needed, times in order")
    func moreWordsThanSpans() {
        let placed = WordPlacement.place(Self.words("turn", "on", "the", "light"), on: [0.0..<0.4, 0.5..<1.3])
        #expect(placed.count == 4)
        #expect(zip(placed, placed.dropFirst()).allSatisfy { $0.start < $0.end && $0.end <= $1.start })
        // Letters put the first boundary at 4/14 of the speech, nearest the pause.
        #expect(placed[0].end == 0.4 && placed[1].start == 0.5, "the pause is between 'turn' and 'on': \(Self.times(placed))")
    }

    @Test("No speech found: the words keep their own times")
    func noSpeech() {
        let words = Self.words("go")
        #expect(WordPlacement.place(words, on: []) == words)
        #expect(WordPlacement.place([], on: [0..<1]).isEmpty)
    }
}
