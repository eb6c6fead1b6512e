import Audio
import Foundation

/// Tallies of an evaluation: accuracy on command words, false accepts on non-vocabulary speech
/// and noise, per word, per source, the confusion matrix; as text and as an
/// ``EvaluationSummary``. ``measure(_:model:decoding:vocabulary:jobs:warps:progress:)`` makes one.
public struct EvaluationReport: Sendable {
    /// What a clip should produce.
    public enum Expectation: Hashable, Sendable {
        case command(String)
        case nonVocabulary
        case noise
        case unscored
    }

    /// The confusion matrix's column for clips with no accepted word, its column for words that
    /// are no row, and its rows for non-vocabulary speech and noise.
    public static let rejected = "(nothing)", other = "(other)", nonVocabularyRow = "_unknown_", noiseRow = "_silence_"

    /// The vocabulary the clips were decoded with.
    public let vocabulary: Vocabulary
    private let words: Set<String>
    /// Clips that could not be read.
    public var failures = 0
    /// Clips with only some of their words in the vocabulary (not scored).
    public private(set) var unscored = 0
    /// truth row → recognised column → count.
    private var confusion: [String: [String: Int]] = [:]
    /// source → its command clips, those recognised exactly, its non-vocabulary speech and noise
    /// clips, and those of them with an accepted word.
    private var sources: [String: SourceTally] = [:]

    /// One source's outcomes.
    struct SourceTally: Sendable {
        var commands = 0, correct = 0, nonVocabulary = 0, nonVocabularyAccepted = 0, noise = 0, noiseAccepted = 0
    }

    /// An empty report for clips decoded with `vocabulary`.
    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        words = Set(vocabulary.entries.flatMap { $0.split(separator: " ").map(String.init) })
    }

    /// What a clip of this label must produce under the report's vocabulary.
    public func expectation(_ label: LabelledClip.Label) -> Expectation {
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
    public mutating func add(_ label: LabelledClip.Label, recognised text: String, source: String = "real") {
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

    /// Recognises every clip with `model` on all `jobs` threads and tallies the outcomes. A clip
    /// that cannot be read counts as a failure and comes back with its error, for the caller to report.
    /// `warps`: the vocal-tract warps every clip is heard at (``Recognizer/Warps``).
    /// - Parameters:
    ///   - clips: labelled clips.
    ///   - model: the model to measure.
    ///   - decoding: how its outputs become words (the vocabulary decoder, for figures users see).
    ///   - vocabulary: the command words the clips are scored against.
    ///   - jobs: worker threads.
    ///   - warps: the vocal-tract warps every clip is heard at.
    ///   - progress: called with the number of clips done, from the worker threads.
    /// - Returns: the report, and each unreadable clip with its error.
    /// - Throws: when a recognizer cannot be made for `model` and `decoding`.
    public static func measure(_ clips: [LabelledClip], model: AcousticModel, decoding: Recognizer.Decoding, vocabulary: Vocabulary,
                               jobs: Int, warps: Recognizer.Warps = .standard, progress: (@Sendable (Int) -> Void)? = nil)
        throws -> (report: EvaluationReport, unreadable: [(path: String, error: any Error)]) {
        let files = clips.map(\.path)
        let outcomes = try ParallelMap.map(count: clips.count, jobs: jobs,
                                           makeWorker: { try Recognizer(model: model, decoding: decoding, warps: warps) },
                                           progress: progress) { recognizer, index -> Result<String, any Error> in
            Result { recognizer.transcribe(samples: try AudioDecoder.decode(file: files[index]).samples).text }
        }
        var report = EvaluationReport(vocabulary: vocabulary)
        var unreadable: [(path: String, error: any Error)] = []
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

    private var commandRows: [String] { confusion.keys.filter { $0 != Self.nonVocabularyRow && $0 != Self.noiseRow }.sorted() }

    /// Truth labels in display order: commands, then non-vocabulary speech and noise.
    public var rowLabels: [String] { commandRows + [Self.nonVocabularyRow, Self.noiseRow].filter { confusion[$0] != nil } }

    /// Recognised labels: the truth labels that are commands, anything else, nothing.
    public var columnLabels: [String] { commandRows + [Self.other, Self.rejected] }

    /// Clips per row and column of the confusion matrix.
    public var confusionCounts: [[Int]] {
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

    /// The clips of command words and those recognised exactly.
    public var commandTally: (clips: Int, correct: Int) {
        commandRows.map(tally).reduce((0, 0)) { ($0.0 + $1.clips, $0.1 + $1.correct) }
    }

    private static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "-" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }

    /// The report as text: accuracy, false accepts, per source, per word, the confusion matrix.
    public func text(title: String) -> String {
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
        let countWidth = max(8, (commandRows.map { tally($0) }.map { "\($0.correct)/\($0.clips)".count }.max() ?? 0) + 2)
        for row in commandRows {
            let t = tally(row)
            let mistakes = (confusion[row] ?? [:]).filter { $0.key != row }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  " + Self.pad(row, wordWidth) + Self.pad("\(t.correct)/\(t.clips)", countWidth) + Self.pad(Self.percent(t.correct, t.clips), 7)
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

    /// The figures as a Codable summary (what `listen eval --summary` writes).
    /// - Parameters:
    ///   - inputs: the folders or manifests measured.
    ///   - model: the model's name.
    ///   - seconds: how long the measurement took.
    public func summary(inputs: [String], model: String, seconds: Double) -> EvaluationSummary {
        let (clips, correct) = commandTally
        func falseAccepts(_ row: String) -> EvaluationSummary.FalseAccepts {
            let t = tally(row)
            return EvaluationSummary.FalseAccepts(clips: t.clips, accepted: t.accepted)
        }
        let perWord = Dictionary(uniqueKeysWithValues: commandRows.map { row in
            let t = tally(row)
            return (row, EvaluationSummary.Word(clips: t.clips, correct: t.correct))
        })
        let perSource = sources.mapValues { t in
            EvaluationSummary.Source(commandClips: t.commands, correct: t.correct,
                                     falseAccepts: .init(nonVocabulary: .init(clips: t.nonVocabulary, accepted: t.nonVocabularyAccepted),
                                                         noise: .init(clips: t.noise, accepted: t.noiseAccepted)))
        }
        return EvaluationSummary(inputs: inputs, model: model, vocabulary: vocabulary.entries, commandClips: clips, correct: correct,
                                 falseAccepts: .init(nonVocabulary: falseAccepts(Self.nonVocabularyRow), noise: falseAccepts(Self.noiseRow)),
                                 unscored: unscored, failed: failures, seconds: seconds, perWord: perWord, perSource: perSource,
                                 confusion: .init(rows: rowLabels, columns: columnLabels, counts: confusionCounts))
    }
}
