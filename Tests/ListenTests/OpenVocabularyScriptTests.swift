import Foundation
import TestSupport
import Testing

/// Whether wordfreq is importable by the `python3` on PATH.
private let hasWordfreq = (try? ListenProcess.run(program: SynthesizeScript.env, ["python3", "-c", "import wordfreq"]))?.status == 0

/// The open vocabulary `scripts/synthesize.py --word-list --texts-from` speaks: the held-out
/// words never, nor tokens voices do not read as spelt.
@Suite("scripts/synthesize.py's open vocabulary", .enabled(if: SynthesizeScript.isAvailable && hasWordfreq,
                                                            "needs ./scripts/install-python-packages (wordfreq, piper, pyworld)"))
struct OpenVocabularyScriptTests {
    /// Runs Python with `scripts/` importable and returns what it printed.
    static func python(_ code: String) throws -> String {
        let scripts = Fixtures.packageRoot.appendingPathComponent("scripts").path
        let result = try ListenProcess.run(program: SynthesizeScript.env, ["python3", "-c", "import sys; sys.path.insert(0, '\(scripts)'); " + code])
        #expect(result.status == 0, "\(result.standardError)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("2,000 words of a-z with a vowel, none held out, none a command, no abbreviations")
    func wordList() throws {
        let words = try Self.python("import synthesize as s; print(' '.join(s.word_list(2000, exclude=[t for t, _ in s.texts()])))")
            .split(separator: " ").map(String.init)
        #expect(words.count == 2_000 && Set(words).count == 2_000)
        #expect(words.allSatisfy { $0.count >= 2 && $0.allSatisfy { ("a"..."z").contains($0) } && $0.contains(where: "aeiouy".contains) })
        #expect(Set(words).isDisjoint(with: ["jarvis", "smart", "mirror", "yes", "stop", "tv", "uk", "mr", "the", "for"]))
    }

    @Test("A manifest's texts without the held-out words")
    func manifestTexts() throws {
        let folder = try Fixtures.scratchFolder().path
        try "path\ttext\tspeaker\na.wav\tjarvis\tx\nb.wav\tsmart mirror\ty\nc.wav\tview glass\tz\nd.wav\tView  Glass\tz\ne.wav\t\tz\n"
            .write(toFile: folder + "/m.tsv", atomically: true, encoding: .utf8)
        #expect(try Self.python("import synthesize as s; print('|'.join(s.manifest_texts('\(folder)/m.tsv')))") == "view glass")
    }
}
