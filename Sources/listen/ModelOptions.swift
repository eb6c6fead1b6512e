import ArgumentParser
import Recognizer

/// `--model` and `--vocabulary`, shared by every command that recognises speech.
struct ModelOptions: ParsableArguments {
    @Option(help: "A model file (.lstn); the bundled default model if absent.")
    var model: String?

    @Option(help: "Command words and phrases to recognise, comma-separated or @file; the model's default vocabulary if absent.")
    var vocabulary: String?

    /// The chosen model. A missing or damaged model is a usage error (exit 2).
    func load() throws -> AcousticModel {
        do {
            return try model.map(ModelFile.read) ?? ModelFile.bundled()
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
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
