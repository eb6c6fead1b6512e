import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Evaluation report")
struct EvaluationReportTests {
    @Test("Tallies commands, other speech and noise by expectation, per word and per source")
    func tallies() throws {
        var report = EvaluationReport(vocabulary: try Vocabulary(["yes", "no", "go left"]))
        report.add(.words("yes"), recognised: "yes", source: "a")
        report.add(.words("no"), recognised: "", source: "a")
        report.add(.words("go left"), recognised: "go left", source: "b")
        report.add(.words("house"), recognised: "no", source: "b")  // non-vocabulary speech, accepted
        report.add(.unknown, recognised: "", source: "b")
        report.add(.silence, recognised: "yes", source: "a")
        report.add(.words("yes please"), recognised: "yes", source: "a")  // only some words known: not scored
        #expect(report.commandTally == (3, 2))
        #expect(report.unscored == 1)
        let summary = report.summary(inputs: ["x"], model: "m", seconds: 1.5)
        #expect(summary.accuracy == 2.0 / 3)
        #expect(summary.falseAccepts.nonVocabulary == .init(clips: 2, accepted: 1))
        #expect(summary.falseAccepts.noise.rate == 1)
        #expect(summary.perWord["no"] == .init(clips: 1, correct: 0))
        #expect(summary.perSource["a"]?.commandClips == 2 && summary.perSource["b"]?.falseAccepts.nonVocabulary.accepted == 1)
        #expect(summary.confusion.rows == ["go left", "no", "yes", "_unknown_", "_silence_"])
        #expect(summary.confusion.counts[1][summary.confusion.columns.firstIndex(of: EvaluationReport.rejected)!] == 1)
    }

    @Test("The per-word counts never run into the percentage, however many clips a word has")
    func wideCounts() throws {
        var report = EvaluationReport(vocabulary: try Vocabulary(["yes", "no"]))
        for index in 0..<1_713 { report.add(.words("yes"), recognised: index < 1_413 ? "yes" : "") }
        report.add(.words("no"), recognised: "no")
        let lines = report.text(title: "t").split(separator: "\n")
        #expect(lines.contains { $0.contains("1413/1713  82.5%") }, "\(lines)")
        #expect(lines.contains { $0.contains("1/1        100.0%") }, "the columns line up: \(lines)")
    }

    @Test("The summary's JSON has snake_case keys and rates (null without clips) and reads back equal")
    func summaryJSON() throws {
        var report = EvaluationReport(vocabulary: try Vocabulary(["yes"]))
        report.add(.words("yes"), recognised: "yes")
        let summary = report.summary(inputs: ["clips"], model: "m", seconds: 0.25)
        let data = try JSONEncoder().encode(summary)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["command_clips"] as? Int == 1 && object["accuracy"] as? Double == 1)
        let nonVocabulary = (object["false_accepts"] as? [String: Any])?["non_vocabulary"] as? [String: Any]
        #expect(nonVocabulary?["clips"] as? Int == 0 && nonVocabulary?["rate"] is NSNull)
        #expect((object["per_word"] as? [String: [String: Any]])?["yes"]?["accuracy"] as? Double == 1)
        #expect(try JSONDecoder().decode(EvaluationSummary.self, from: data) == summary)
    }

    @Test("Measuring a manifest's held-out speakers with the shipped model, in process: every clip read, per source")
    func measure() throws {
        let model = try ModelFile.bundled()
        let vocabulary = try Vocabulary(model.defaultVocabulary)
        let clips = try LabelledData.clips(at: try Fixtures.realSpeechManifest(), split: .init(heldOutSpeakers: 100, excluded: ["jarvis"]))
        let (report, unreadable) = try EvaluationReport.measure(clips, model: model, decoding: .vocabulary(vocabulary),
                                                                vocabulary: vocabulary, jobs: 2)
        #expect(unreadable.isEmpty && report.failures == 0)
        #expect(report.commandTally == (5, 5), "the example clips are heard right by the shipped model")
        let summary = report.summary(inputs: [], model: model.metadata.name, seconds: 0)
        #expect(summary.perSource["one"]?.commandClips == 2 && summary.perSource["two"]?.commandClips == 3)
    }
}
