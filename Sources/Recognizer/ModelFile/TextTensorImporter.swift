import Features
import Foundation

/// Builds a model from a folder of PyTorch-named text tensors (`gru.weight_ih_l0.txt`, …,
/// `fc.bias.txt`), one row per line of the first axis, `#` comment lines allowed — the
/// format of `shared/reference/gru` and of `numpy.savetxt` on a PyTorch state dict.
public enum TextTensorImporter {
    /// Reads every tensor the architecture needs from `folder`.
    /// - Throws: ``ModelError`` if a file is missing or holds the wrong number of values.
    public static func model(folder: String, architecture: ModelArchitecture, features: FeatureConfiguration,
                             alphabet: Alphabet = .english) throws -> AcousticModel {
        var model = try AcousticModel(architecture: architecture, features: features, alphabet: alphabet)
        model.tensors = try architecture.tensorShapes.map { tensor in
            let path = folder + "/" + tensor.name + ".txt"
            let values = try readValues(path)
            guard values.count == tensor.shape.reduce(1, *) else {
                throw ModelError.corrupt(path, reason: "holds \(values.count) values; \(tensor.name) \(tensor.shape) needs \(tensor.shape.reduce(1, *))")
            }
            return values
        }
        return model
    }

    /// All numbers of a whitespace-separated text file, `#` lines skipped.
    public static func readValues(_ path: String) throws -> [Float] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ModelError.unreadable(path, reason: "cannot read")
        }
        var values: [Float] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
                guard let value = Double(field) else { throw ModelError.corrupt(path, reason: "'\(field)' is not a number") }
                values.append(Float(value))
            }
        }
        return values
    }
}
