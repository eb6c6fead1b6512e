import Features
import Foundation
import Recognizer
import Testing

@Suite("Vocabulary-constrained decoding and keyword scoring")
struct VocabularyDecoderTests {
    let decoder = try! VocabularyDecoder(vocabulary: try! Vocabulary(["yes", "no", "go left", "left", "stop"]), alphabet: .english)

    func decode(_ frames: String, peak: Float = 0.9) -> [RecognizedWord] {
        decoder.decode(script(frames, peak: peak), timing: timing(frames: frames.count))
    }

    @Test("A vocabulary word is found with high confidence")
    func word() {
        let words = decode("___yy_ee_ss____")
        #expect(words.map(\.word) == ["yes"])
        #expect(words[0].confidence > 0.95)
        #expect(abs(words[0].start - 0.041) < 1e-9 && abs(words[0].end - 0.121) < 1e-9)  // the last frame holding "s"
    }

    @Test("Speech that is no vocabulary word is [unk], not forced onto one", arguments: ["house", "cat", "yellow", "nest"])
    func unknown(spoken: String) {
        let frames = "___" + spoken.map { "\($0)_" }.joined() + "___"
        let words = decode(frames)
        #expect(words.count == 1)
        #expect(words.first?.word == RecognizedWord.unknown)
        #expect(Transcript(words: words, duration: 1).text == "")
    }

    @Test("Silence gives nothing")
    func silence() {
        #expect(decode("______________").isEmpty)
        #expect(decode("").isEmpty)
    }

    @Test("A two-word phrase, with or without a space between its words")
    func phrase() {
        #expect(decode("__g_o__|__l_e_f_t___").map(\.word) == ["go left"])
        #expect(decode("__g_o_____l_e_f_t___").map(\.word) == ["go left"])
    }

    @Test("A sequence of words keeps its order and times")
    func sequence() {
        let words = decode("_y_e_s____|___n_o___|__h_a_t__|_s_t_o_p__")
        #expect(words.map(\.word) == ["yes", "no", RecognizedWord.unknown, "stop"])
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.end <= $1.start })
        #expect(Transcript(words: words, duration: 1).text == "yes no stop")
        #expect(words.allSatisfy { (0...1).contains($0.confidence) })
    }

    @Test("A vague reading of a word gets a lower confidence than a clear one")
    func confidence() {
        let clear = decode("___n_o___", peak: 0.95)
        let vague = decode("___n_o___", peak: 0.5)
        #expect(clear.first?.word == "no" && vague.first?.word == "no")
        #expect(clear[0].confidence >= vague[0].confidence)
    }

    @Test("A word the alphabet cannot spell is refused")
    func badVocabulary() {
        #expect(throws: RecognizerError.invalidVocabulary("'café' contains 'é', which the model cannot spell")) {
            try VocabularyDecoder(vocabulary: try Vocabulary(["café"]), alphabet: .english)
        }
        #expect(throws: RecognizerError.invalidVocabulary("the vocabulary has no words")) { try Vocabulary(argument: " , ,") }
    }

    @Test("Vocabulary arguments: commas, @file, comments, duplicates")
    func parsing() throws {
        #expect(try Vocabulary(argument: "Yes, go  left,no,yes").entries == ["yes", "go left", "no"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID()).txt").path
        try "# commands\nlights on\nlights off # the other one\n\nstop\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Vocabulary(argument: "@" + path).entries == ["lights on", "lights off", "stop"])
        #expect(throws: RecognizerError.invalidVocabulary("cannot read vocabulary file '/nonexistent'")) { try Vocabulary(argument: "@/nonexistent") }
    }

    @Test("Keyword score: high where the keyword is, low where it is not")
    func keyword() throws {
        let m = script("__g_o__|__l_e_f_t___|__y_e_s__")
        let left = try KeywordScorer(keyword: "left", alphabet: .english).score(m)
        #expect(left.score > 0.95)
        #expect(left.frames.lowerBound >= 8 && left.frames.upperBound <= 19)
        #expect(try KeywordScorer(keyword: "stop", alphabet: .english).score(m).score < 0.2)
        // Only in the window asked about.
        #expect(try KeywordScorer(keyword: "left", alphabet: .english).score(m, frames: 20..<30).score < 0.2)
        #expect(try KeywordScorer(keyword: "yes", alphabet: .english).score(m, frames: 20..<30).score > 0.95)
    }
}
