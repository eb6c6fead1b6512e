import ArgumentParser
import Audio
import Foundation
import Recognizer

/// `listen eval`: measures a model on labelled recordings.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model on labelled clips: accuracy, per-word accuracy, confusion matrix, false accepts.",
        discussion: """
            PATH is a folder in the Speech Commands layout (<dir>/<word>/*.wav; '_unknown_' holds \
            non-vocabulary speech, 'none', '_silence_' and '_background_noise_' non-speech), a flat \
            folder of <label>_*.wav files (the Free Spoken Digit layout; digits become words), or a \
            synthesis manifest (.tsv; its held-out rows if it has any). A clip whose words are all in \
            the vocabulary must be recognised exactly; a clip with none of them, or with no speech, \
            must produce no accepted word, else it is a false accept. Clips with only some of their \
            words in the vocabulary are not scored.
            """)

    @Argument(help: "Folders or manifests of labelled clips.")
    var paths: [String]

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var workers: JobsOption

    @OptionGroup var split: ManifestSplitOptions

    @Option(help: "Where to write the JSON summary ('-' for standard output; the report then goes to standard error).")
    var summary = "listen-eval.json"

    @Option(help: "Also draw the confusion matrix as SVG to this file.")
    var plot: String?

    func run() throws {
        for path in [summary == "-" ? nil : summary, plot].compactMap({ $0 }) { try OutputFile.check(path) }
        let model = try modelOptions.load()
        let vocabulary = try modelOptions.vocabulary(for: model), decoding = try modelOptions.vocabularyDecoding(for: model)
        var clips: [LabelledClip] = []
        for path in paths {
            do {
                clips += try Self.clips(at: path, split: split.split)
            } catch {
                StandardError.write("listen: cannot read \(path): \(reason(error))")
                throw ExitCode.inputFailed
            }
        }
        guard !clips.isEmpty else {
            StandardError.write("listen: no audio clips in \(paths.joined(separator: ", "))")
            throw ExitCode.inputFailed
        }
        let started = Date()
        let progress = ProgressLine("eval", total: clips.count, unit: "clips")
        let (report, unreadable) = try Self.evaluate(clips, model: model, decoding: decoding, vocabulary: vocabulary, jobs: workers.jobs,
                                                     warps: modelOptions.warps, progress: progress)
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        for (path, error) in unreadable { StandardError.write("listen: \(path): \(reason(error))") }
        let text = report.text(title: "listen eval \(paths.joined(separator: " ")) (\(clips.count) clips, "
                               + String(format: "%.1f s, %.0f clips/s)", seconds, Double(clips.count) / seconds))
        let json = report.json(paths: paths, model: model, seconds: seconds)
        if summary == "-" {  // standard output holds only the JSON, so it can be piped
            StandardError.write(text)
            print(json)
        } else {
            print(text, terminator: "")
            try OutputFile.write(json.utf8, to: summary)
            StandardError.write("listen: wrote \(summary)")
        }
        if let plot {
            try OutputFile.write(SVGPlot.confusionMatrix(title: "listen eval \(paths.joined(separator: " "))", labels: report.rowLabels,
                                                         columns: report.columnLabels, counts: report.confusionCounts).utf8, to: plot)
            StandardError.write("listen: wrote \(plot)")
        }
        if report.failures > 0 { throw ExitCode.inputFailed }
    }

    /// The clips of one PATH: a manifest's (`.tsv`) held-out rows (``LabelledData/manifest(_:split:)``),
    /// or all its rows when none are held out; else a folder's clips.
    static func clips(at path: String, split: LabelledData.ManifestSplit = .standard) throws -> [LabelledClip] {
        guard path.hasSuffix(".tsv") else { return try LabelledData.folder(path) }
        let (train, heldout) = try LabelledData.manifest(path, split: split)
        return heldout.isEmpty ? train : heldout
    }

    /// Recognises every clip with `model` on all `jobs` threads and tallies the outcomes. A clip
    /// that cannot be read counts as a failure and comes back with its error, for the caller to report.
    /// `warps`: the vocal-tract warps every clip is heard at (``Recognizer/Warps``).
    static func evaluate(_ clips: [LabelledClip], model: AcousticModel, decoding: Recognizer.Decoding, vocabulary: Vocabulary,
                         jobs: Int, warps: Recognizer.Warps = .standard, progress: ProgressLine? = nil) throws -> (report: EvaluationReport, unreadable: [(path: String, error: Error)]) {
        let files = clips.map(\.path)
        var advance: (@Sendable (Int) -> Void)?
        if let progress { advance = { progress.update($0) } }
        let outcomes = try ParallelMap.map(count: clips.count, jobs: jobs,
                                           makeWorker: { try Recognizer(model: model, decoding: decoding, warps: warps) },
                                           progress: advance) { recognizer, index -> Result<String, Error> in
            Result { recognizer.transcribe(samples: try AudioDecoder.decode(file: files[index]).samples).text }
        }
        var report = EvaluationReport(vocabulary: vocabulary)
        var unreadable: [(path: String, error: Error)] = []
        for (clip, outcome) in zip(clips, outcomes) {
            switch outcome {
            case .success(let text): report.add(clip.label, recognised: text, source: clip.source)
            case .failure(let error):
                unreadable.append((clip.path, error))
                report.failures += 1
            }
        }
        return (report, unreadable)
    }
}

/// Tallies of an evaluation and their text and JSON forms.
struct EvaluationReport {
    /// What a clip should produce.
    enum Expectation: Hashable {
        case command(String)
        case nonVocabulary
        case noise
        case unscored
    }

    static let rejected = "(nothing)", other = "(other)", nonVocabularyRow = "_unknown_", noiseRow = "_silence_"

    let vocabulary: Vocabulary
    private let words: Set<String>
    var failures = 0
    private(set) var unscored = 0
    /// truth row → recognised column → count.
    private var confusion: [String: [String: Int]] = [:]
    /// source → its command clips, those recognised exactly, its non-vocabulary speech and noise
    /// clips, and those of them with an accepted word.
    private var sources: [String: SourceTally] = [:]

    /// One source's outcomes.
    struct SourceTally {
        var commands = 0, correct = 0, nonVocabulary = 0, nonVocabularyAccepted = 0, noise = 0, noiseAccepted = 0
    }

    init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        words = Set(vocabulary.entries.flatMap { $0.split(separator: " ").map(String.init) })
    }

    func expectation(_ label: LabelledClip.Label) -> Expectation {
        switch label {
        case .unknown: return .nonVocabulary
        case .silence: return .noise
        case .words(let text):
            let parts = text.split(separator: " ").map(String.init)
            let known = parts.filter(words.contains).count
            if known == parts.count { return .command(parts.joined(separator: " ")) }
            return known == 0 ? .nonVocabulary : .unscored
        }
    }

    /// Counts one clip: its label, what was recognised (accepted words only), where it comes from.
    mutating func add(_ label: LabelledClip.Label, recognised text: String, source: String = "real") {
        let row: String
        switch expectation(label) {
        case .command(let words):
            row = words
            sources[source, default: SourceTally()].commands += 1
            if text == words { sources[source, default: SourceTally()].correct += 1 }
        case .nonVocabulary:
            row = Self.nonVocabularyRow
            sources[source, default: SourceTally()].nonVocabulary += 1
            if !text.isEmpty { sources[source, default: SourceTally()].nonVocabularyAccepted += 1 }
        case .noise:
            row = Self.noiseRow
            sources[source, default: SourceTally()].noise += 1
            if !text.isEmpty { sources[source, default: SourceTally()].noiseAccepted += 1 }
        case .unscored:
            unscored += 1
            return
        }
        confusion[row, default: [:]][text.isEmpty ? Self.rejected : text, default: 0] += 1
    }

    private var commandRows: [String] { confusion.keys.filter { $0 != Self.nonVocabularyRow && $0 != Self.noiseRow }.sorted() }

    /// Truth labels in display order: commands, then non-vocabulary speech and noise.
    var rowLabels: [String] { commandRows + [Self.nonVocabularyRow, Self.noiseRow].filter { confusion[$0] != nil } }

    /// Recognised labels: the truth labels that are commands, anything else, nothing.
    var columnLabels: [String] { commandRows + [Self.other, Self.rejected] }

    var confusionCounts: [[Int]] {
        let columns = columnLabels
        return rowLabels.map { row in
            var counts = [Int](repeating: 0, count: columns.count)
            for (recognised, count) in confusion[row] ?? [:] {
                counts[columns.firstIndex(of: recognised) ?? columns.firstIndex(of: Self.other)!] += count
            }
            return counts
        }
    }

    private func tally(_ row: String) -> (clips: Int, correct: Int, accepted: Int) {
        let counts = confusion[row] ?? [:]
        return (counts.values.reduce(0, +), counts[row] ?? 0, counts.filter { $0.key != Self.rejected }.values.reduce(0, +))
    }

    var commandTally: (clips: Int, correct: Int) {
        commandRows.map(tally).reduce((0, 0)) { ($0.0 + $1.clips, $0.1 + $1.correct) }
    }

    private static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "-" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }

    func text(title: String) -> String {
        var lines = [title]
        let (clips, correct) = commandTally
        lines.append("accuracy: \(Self.percent(correct, clips)) (\(correct)/\(clips) command clips)")
        for (row, name) in [(Self.nonVocabularyRow, "non-vocabulary speech"), (Self.noiseRow, "noise/silence")] {
            let t = tally(row)
            if t.clips > 0 { lines.append("false accepts on \(name): \(Self.percent(t.accepted, t.clips)) (\(t.accepted)/\(t.clips))") }
        }
        if unscored > 0 { lines.append("not scored (only some words in the vocabulary): \(unscored)") }
        if failures > 0 { lines.append("failed to read: \(failures)") }
        if sources.count > 1 {
            lines.append("")
            lines.append("per source (accuracy; false accepts on non-vocabulary speech; on noise):")
            let width = (sources.keys.map(\.count).max() ?? 0) + 2
            for (name, t) in sources.sorted(by: { $0.key < $1.key }) {
                lines.append("  " + Self.pad(name, width) + Self.pad("\(Self.percent(t.correct, t.commands)) (\(t.correct)/\(t.commands))", 22)
                             + Self.pad("\(Self.percent(t.nonVocabularyAccepted, t.nonVocabulary)) (\(t.nonVocabularyAccepted)/\(t.nonVocabulary))", 22)
                             + "\(Self.percent(t.noiseAccepted, t.noise)) (\(t.noiseAccepted)/\(t.noise))")
            }
        }
        lines.append("")
        lines.append("per word:")
        let wordWidth = max(14, (commandRows.map(\.count).max() ?? 0) + 2)
        for row in commandRows {
            let t = tally(row)
            let mistakes = (confusion[row] ?? [:]).filter { $0.key != row }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  " + Self.pad(row, wordWidth) + Self.pad("\(t.correct)/\(t.clips)", 8) + Self.pad(Self.percent(t.correct, t.clips), 7)
                         + (mistakes.isEmpty ? "" : "  heard as: " + mistakes))
        }
        lines.append("")
        lines.append("confusion matrix (rows: truth; columns: recognised, first 5 letters):")
        let columns = columnLabels, counts = confusionCounts
        lines.append(String(repeating: " ", count: 16) + columns.map { Self.cell(String($0.prefix(5))) }.joined())
        for (row, values) in zip(rowLabels, counts) {
            lines.append(Self.pad(String(row.prefix(15)), 16) + values.map { Self.cell($0 == 0 ? "." : "\($0)") }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    private static func cell(_ text: String) -> String { String(repeating: " ", count: max(1, 6 - text.count)) + text }

    func json(paths: [String], model: AcousticModel, seconds: Double) -> String {
        let (clips, correct) = commandTally
        func rate(_ part: Int, _ whole: Int) -> String { whole == 0 ? "null" : String(format: "%.5f", Double(part) / Double(whole)) }
        let perWord = commandRows.map { row in
            let t = tally(row)
            return "\(JSONText.quoted(row)):{\"clips\":\(t.clips),\"correct\":\(t.correct),\"accuracy\":\(rate(t.correct, t.clips))}"
        }
        func falseAccepts(_ row: String) -> String {
            let t = tally(row)
            return "{\"clips\":\(t.clips),\"accepted\":\(t.accepted),\"rate\":\(rate(t.accepted, t.clips))}"
        }
        let perSource = sources.sorted(by: { $0.key < $1.key }).map { name, t in
            "\(JSONText.quoted(name)):{\"command_clips\":\(t.commands),\"correct\":\(t.correct),\"accuracy\":\(rate(t.correct, t.commands)),"
                + "\"false_accepts\":{\"non_vocabulary\":{\"clips\":\(t.nonVocabulary),\"accepted\":\(t.nonVocabularyAccepted),"
                + "\"rate\":\(rate(t.nonVocabularyAccepted, t.nonVocabulary))},\"noise\":{\"clips\":\(t.noise),\"accepted\":\(t.noiseAccepted),"
                + "\"rate\":\(rate(t.noiseAccepted, t.noise))}}}"
        }
        let matrix = confusionCounts.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",")
        return """
            {"inputs":[\(paths.map(JSONText.quoted).joined(separator: ","))],"model":\(JSONText.quoted(model.metadata.name)),\
            "vocabulary":[\(vocabulary.entries.map(JSONText.quoted).joined(separator: ","))],\
            "command_clips":\(clips),"correct":\(correct),"accuracy":\(rate(correct, clips)),\
            "false_accepts":{"non_vocabulary":\(falseAccepts(Self.nonVocabularyRow)),"noise":\(falseAccepts(Self.noiseRow))},\
            "unscored":\(unscored),"failed":\(failures),"seconds":\(String(format: "%.3f", seconds)),\
            "per_word":{\(perWord.joined(separator: ","))},"per_source":{\(perSource.joined(separator: ","))},\
            "confusion":{"rows":[\(rowLabels.map(JSONText.quoted).joined(separator: ","))],\
            "columns":[\(columnLabels.map(JSONText.quoted).joined(separator: ","))],"counts":[\(matrix)]}}

            """
    }
}
