import ArgumentParser
import Foundation
import Features
import Recognizer

/// `--model`, `--vocabulary` and the vocabulary decoder's trade-offs, shared by every command
/// that recognises speech.
struct ModelOptions: ParsableArguments {
    @Option(help: "A model file (.lstn); if absent, your personal model from 'listen enroll' if there is one, else the built-in model.")
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

    @Option(help: ArgumentHelp("Hear utterances at these vocal-tract warps (comma-separated factors, 1: as recorded, above 1 a longer vocal tract) and average the model's outputs; the first is always heard, the others as --recheck-below says. 1: one run.",
                               valueName: "factors"))
    var frequencyWarps: String = Recognizer.Warps.standard.factors.map { String(format: "%g", $0) }.joined(separator: ",")

    @Option(help: ArgumentHelp("Hear the other --frequency-warps only for utterances whose first hearing has a word or [unk] below this confidence (0-1; 1: always, 0: never).",
                               valueName: "confidence"))
    var recheckBelow: Double = Recognizer.Warps.standard.recheckBelow

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
        if !(0...1).contains(recheckBelow) { throw ValidationError("--recheck-below must be between 0 and 1") }
    }

    /// `--frequency-warps` and `--recheck-below` (valid after ``validate()``).
    var warps: Recognizer.Warps { Recognizer.Warps(warpFactors.compactMap { $0 }, recheckBelow: recheckBelow) }

    /// The chosen model, with `--edge-padding` in its front end if given: `--model`, else the
    /// personal model if it exists (said on stderr), else the built-in one. A missing or
    /// damaged model is a usage error (exit 2).
    func load() throws -> AcousticModel {
        do {
            var chosen: AcousticModel
            if let model {
                chosen = try ModelFile.read(model)
            } else if let personal = ModelFile.personalModelPath(), FileManager.default.fileExists(atPath: personal) {
                chosen = try ModelFile.read(personal)
                StandardError.write("listen: using your personal model \(personal) ('listen enroll --reset' removes it)")
            } else {
                chosen = try ModelFile.bundled()
            }
            if let edgePadding { chosen.features.edgePadding = edgePadding > 0 ? edgePadding : nil }
            return chosen
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
    }

    /// Decoding restricted to ``vocabulary(for:adding:)`` with this command's trade-offs.
    func vocabularyDecoding(for model: AcousticModel, adding extra: [String] = []) throws -> Recognizer.Decoding {
        .vocabulary(try vocabulary(for: model, adding: extra), unknownPenalty: unknownPenalty, rejectionThreshold: rejectionThreshold)
    }

    /// The vocabulary to decode with: `--vocabulary`, else the model's default one, and the
    /// `extra` words (hook keywords). A word the model cannot spell is a usage error.
    func vocabulary(for model: AcousticModel, adding extra: [String] = []) throws -> Vocabulary {
        do {
            let listed = try vocabulary.map(Vocabulary.init(argument:)) ?? Vocabulary(model.defaultVocabulary)
            let chosen = extra.isEmpty ? listed : try Vocabulary(listed.entries + extra)
            let added = chosen.entries.filter { !listed.entries.contains($0) }
            for entry in chosen.entries { try model.alphabet.checkSpellable(entry) }
            if !added.isEmpty { StandardError.write("listen: listening for the hook keywords too: \(added.joined(separator: ", "))") }
            return chosen
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
    }
}
