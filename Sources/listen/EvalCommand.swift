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

            Examples:
              listen eval ../shared/data/speech-commands-dev
              listen eval manifest.tsv --exclude jarvis --summary results.json
            """)

    @Argument(help: "Folders or manifests of labelled clips.")
    var paths: [String]

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup var workers: JobsOption

    @OptionGroup var split: ManifestSplitOptions

    @Option(help: "Also write the JSON summary to this file ('-' for standard output; the report then goes to standard error).")
    var summary: String?

    @Option(help: "Also draw the confusion matrix as SVG to this file.")
    var plot: String?

    func run() throws {
        for path in [summary == "-" ? nil : summary, plot].compactMap({ $0 }) { try OutputFile.check(path) }  // before any work
        let model = try modelOptions.load()
        let vocabulary = try modelOptions.vocabulary(for: model), decoding = try modelOptions.vocabularyDecoding(for: model)
        var clips: [LabelledClip] = []
        for path in paths {
            do {
                clips += try LabelledData.clips(at: path, split: split.split)
            } catch {
                StandardError.write("listen: cannot read \(path): \(inputErrorReason(error))")
                throw ExitCode.inputFailed
            }
        }
        guard !clips.isEmpty else {
            StandardError.write("listen: no audio clips in \(paths.joined(separator: ", "))")
            throw ExitCode.inputFailed
        }
        let started = Date()
        let progress = ProgressLine("eval", total: clips.count, unit: "clips")
        let (report, unreadable) = try EvaluationReport.measure(clips, model: model, decoding: decoding, vocabulary: vocabulary,
                                                                jobs: workers.jobs, warps: modelOptions.warps, progress: { progress.update($0) })
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        for (path, error) in unreadable { StandardError.write("listen: \(path): \(inputErrorReason(error))") }
        let text = report.text(title: "listen eval \(paths.joined(separator: " ")) (\(clips.count) clips, "
                               + String(format: "%.1f s, %.0f clips/s)", seconds, Double(clips.count) / seconds))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(report.summary(inputs: paths, model: model.metadata.name, seconds: seconds)), as: UTF8.self) + "\n"
        if summary == "-" {  // standard output holds only the JSON, so it can be piped
            StandardError.write(text)
            print(json)
        } else {
            print(text, terminator: "")
            if let summary {
                try OutputFile.write(json.utf8, to: summary)
                StandardError.write("listen: wrote \(summary)")
            }
        }
        if let plot {
            try OutputFile.write(SVGPlot.confusionMatrix(title: "listen eval \(paths.joined(separator: " "))", labels: report.rowLabels,
                                                         columns: report.columnLabels, counts: report.confusionCounts).utf8, to: plot)
            StandardError.write("listen: wrote \(plot)")
        }
        if report.failures > 0 { throw ExitCode.inputFailed }
    }
}
