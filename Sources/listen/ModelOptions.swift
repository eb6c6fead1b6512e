import ArgumentParser
import Foundation
import Features
import Recognizer

/// `--model`, `--vocabulary` and the vocabulary decoder's trade-offs, shared by every command
/// that recognises speech.
struct ModelOptions: ParsableArguments {
    @Option(help: "A model file (.lstn); the bundled default model if absent.")
    var model: String?

    @Option(help: "Command words and phrases to recognise, comma-separated or @file; the model's default vocabulary if absent.")
    var vocabulary: String?

    // `.unconditional`: the value is negative, and `--unknown-penalty -8` must not read -8 as an option.
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Log-penalty for hearing speech as [unk] instead of a listed word (more negative: fewer [unk], more false accepts).",
                               valueName: "nats"))
    var unknownPenalty: Float = VocabularyDecoder.defaultUnknownPenalty

    @Option(help: ArgumentHelp("Lowest confidence (0-1) of a reported word; below it the word is [unk].", valueName: "confidence"))
    var rejectionThreshold: Double = VocabularyDecoder.defaultRejectionThreshold

    @Option(help: ArgumentHelp("Silence put before and after every clip or utterance before it is heard, in seconds (0: none); the model's own (the one it was trained with) if absent.",
                               valueName: "seconds"))
    var edgePadding: Double?

    @Option(help: ArgumentHelp("Hear every utterance at these vocal-tract warps (comma-separated factors, 1: as recorded) and average the model's outputs; the cost grows with their count.",
                               valueName: "factors"))
    var frequencyWarps: String = Recognizer.defaultFrequencyWarps.map { String(format: "%g", $0) }.joined(separator: ",")

    /// `--frequency-warps` as numbers (nil where a factor is not one).
    private var warpFactors: [Double?] { frequencyWarps.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        if let edgePadding, !FeatureConfiguration.edgePaddingRange.contains(edgePadding) { throw ValidationError("--edge-padding must be between 0 and 1 s") }
        if !(unknownPenalty <= 0) { throw ValidationError("--unknown-penalty must be zero or negative") }
        if !(0...1).contains(rejectionThreshold) { throw ValidationError("--rejection-threshold must be between 0 and 1") }
        let range = Recognizer.frequencyWarpRange
        if !warpFactors.allSatisfy({ $0.map(range.contains) ?? false }) {
            throw ValidationError("--frequency-warps must be comma-separated factors between \(range.lowerBound) and \(range.upperBound), got '\(frequencyWarps)'")
        }
    }

    /// `--frequency-warps` (valid after ``validate()``).
    var warps: [Double] { warpFactors.compactMap { $0 } }

    /// The chosen model, with `--edge-padding` in its front end if given. A missing or
    /// damaged model is a usage error (exit 2).
    func load() throws -> AcousticModel {
        do {
            var chosen = try model.map(ModelFile.read) ?? ModelFile.bundled()
            if let edgePadding { chosen.features.edgePadding = edgePadding > 0 ? edgePadding : nil }
            return chosen
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
    }

    /// Decoding restricted to ``vocabulary(for:)`` with this command's trade-offs.
    func vocabularyDecoding(for model: AcousticModel) throws -> Recognizer.Decoding {
        .vocabulary(try vocabulary(for: model), unknownPenalty: unknownPenalty, rejectionThreshold: rejectionThreshold)
    }

    /// The vocabulary to decode with: `--vocabulary`, else the model's default one.
    /// A vocabulary the model cannot spell is a usage error.
    func vocabulary(for model: AcousticModel) throws -> Vocabulary {
        do {
            let chosen = try vocabulary.map(Vocabulary.init(argument:)) ?? Vocabulary(model.defaultVocabulary)
            for entry in chosen.entries { try model.alphabet.checkSpellable(entry) }
            return chosen
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
    }
}
