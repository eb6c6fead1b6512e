import ArgumentParser
import Features
import Recognizer

extension TrainingConfiguration {
    /// The `listen train` option that sets a field (`hiddenSize`: `--hidden-size`).
    static func option(for field: String) -> String {
        let renamed = ["manifests": "data", "folders": "real", "folderWeight": "real-weight", "sourceWeights": "source-weight",
                       "heldOutSpeakers": "heldout-speakers", "heldOutLimit": "dev-limit", "monitors": "monitor",
                       "noiseSignalToNoise": "noise-snr", "convolutionChannels": "convolution", "melBandCount": "mel-bands"]
        return "--" + (renamed[field] ?? field.replacing(/[A-Z]/) { "-" + $0.output.lowercased() })
    }

    /// An error of the library as `listen train` says it: a field by its option.
    static func message(for error: RecognizerError) -> String {
        if case .invalidTraining(let field, let reason) = error { return "\(option(for: field)) \(reason)" }
        return "\(error)"
    }
}

extension ModelFile.WeightFormat: ExpressibleByArgument {}

/// `--convolution`: the channels of each convolution in front of the GRUs, "16" or "16,32"; "0" is none.
struct ConvolutionChannels: ExpressibleByArgument {
    var counts: [Int]

    init(counts: [Int]) { self.counts = counts }

    init?(argument: String) {
        guard argument != "0" else {
            self.init(counts: [])
            return
        }
        let counts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil }) else { return nil }
        self.init(counts: counts.compactMap { $0 })
    }

    var defaultValueDescription: String { counts.isEmpty ? "0" : counts.map(String.init).joined(separator: ",") }
}

/// `--source-weight`: how many times a manifest source's clips are seen per epoch, "speech-commands-v0.01=2".
struct SourceWeight: ExpressibleByArgument {
    var source: String
    var count: Int

    init?(argument: String) {
        guard let equals = argument.lastIndex(of: "="), let count = Int(argument[argument.index(after: equals)...]), count >= 0,
              equals != argument.startIndex else { return nil }
        source = String(argument[..<equals])
        self.count = count
    }
}

/// `--noise-snr`: a range of signal-to-noise ratios in dB, "5,30".
struct DecibelRange: ExpressibleByArgument {
    var lower: Double
    var upper: Double

    init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lower = parts[0], let upper = parts[1], lower.isFinite, upper.isFinite, lower <= upper else { return nil }
        self.init(lower: lower, upper: upper)
    }

    var defaultValueDescription: String { "\(Int(lower)),\(Int(upper))" }
}

extension FeatureConfiguration.Normalization: ExpressibleByArgument {
    /// The values `listen train` accepts (`none` is refused: the masks assume normalised features).
    public static var allValueStrings: [String] { allCases.filter { $0 != .none }.map(\.rawValue) }
}
