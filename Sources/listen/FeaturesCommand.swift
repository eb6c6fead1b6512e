import ArgumentParser
import Audio
import Features
import Foundation
import Recognizer

/// `listen features FILE`: prints the front end's matrix, to check it against librosa.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Print the feature matrix of an audio file (one frame per line).",
        discussion: """
            MFCC as librosa computes them (Slaney mel, 40 bands, 13 coefficients, 25 ms \
            Hamming window, 10 ms hop, no padding). FILE may be - for standard input.

            Examples:
              listen features clip.wav --kind logmel
              listen features clip.wav --format npy > clip.npy
              listen features clip.wav --of-model built-in
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, npy
    }

    @Argument(help: "An audio file (WAV, FLAC, OGG, …) or - for standard input.")
    var file: String

    @Option(help: "Output format: text (one frame per line), json or npy.")
    var format: Format = .text

    @Option(help: "mfcc (13 coefficients) or logmel (40 energies in dB).")
    var kind: FeatureConfiguration.Kind = .mfcc

    @Flag(help: "Append deltas and delta-deltas.")
    var deltas = false

    @Flag(help: "Normalise every dimension to mean 0, deviation 1 over the file.")
    var normalize = false

    @Option(help: ArgumentHelp("Print what a model hears instead: its front end's frames (for the built-in model, the speech embedding), from a model file or 'built-in'; --kind, --deltas and --normalize do not apply.",
                               valueName: "model"))
    var ofModel: String?

    @OptionGroup var input: AudioInputOptions

    func run() throws {
        let audio: DecodedAudio
        do {
            audio = try input.decode(file)
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.inputFailed
        }
        var configuration = FeatureConfiguration(kind: kind, includesDeltas: deltas, normalization: normalize ? .utterance : .none)
        let frames: Matrix
        if let ofModel {
            let model: AcousticModel
            do { model = try ofModel == "built-in" ? ModelFile.bundled() : ModelFile.read(ofModel) } catch {
                StandardError.write("listen: \(error)")
                throw ExitCode.usage
            }
            configuration = model.features
            frames = try FrontEnd(model: model).extract(audio.samples)
        } else {
            frames = try FeatureExtractor(configuration: configuration).extract(audio.samples)
        }
        var output = OutputBuffer()
        switch format {
        case .text:
            for row in 0..<frames.rows {
                output.write(frames.row(row).map { "\($0)" }.joined(separator: " ") + "\n")
            }
        case .json:
            output.write(json(frames, configuration: configuration))
        case .npy:
            output.write(bytes: NumpyArray.bytes(frames))
        }
        output.flush()
    }

    private func json(_ frames: Matrix, configuration: FeatureConfiguration) -> String {
        let rows = (0..<frames.rows).map { "[" + frames.row($0).map { "\($0)" }.joined(separator: ",") + "]" }
        return """
            {"file":\(JSONText.quoted(file)),"kind":"\(configuration.kind.rawValue)","frames":\(frames.rows),\
            "dimension":\(frames.columns),"frame_shift":\(configuration.frameShift),\
            "values":[\(rows.joined(separator: ","))]}

            """
    }
}

extension FeatureConfiguration.Kind: ExpressibleByArgument {}
