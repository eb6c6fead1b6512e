import ArgumentParser
import Foundation
import Recognizer

/// `listen model`: what a model is, where it came from and what it hears.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Show the model in use (or --model FILE): its name, origin, network, vocabulary, figures, and a personal model's enrolment and thresholds.",
        discussion: """
            Examples:
              listen model
              listen model --model mine.lstn --json
            """)

    @Option(help: "A model file (.lstn); if absent, the one every command uses: your personal model if there is one, else the built-in model.")
    var model: String?

    @Flag(help: "Print the metadata as JSON instead.")
    var json = false

    func run() throws {
        let options = try ModelOptions.parse(model.map { ["--model", $0] } ?? [])
        let chosen = try options.load()
        let m = chosen.metadata
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(m), as: UTF8.self))
            return
        }
        let a = chosen.architecture
        var lines = [
            "name: \(m.name.isEmpty ? "(none)" : m.name)" + (model == nil && m.personalization == nil ? " (built in)" : ""),
            "created: \(m.created.isEmpty ? "(unknown)" : m.created)",
            "front end: \(chosen.features.kind.rawValue)" + (chosen.features.kind == .speechEmbedding ? ", step \(chosen.features.embeddingStep)" : ""),
            "network: \(a.layerCount) bidirectional GRU layers of \(a.hiddenSize), \(a.parameterCount) parameters",
            "vocabulary (\(chosen.defaultVocabulary.count)): \(chosen.defaultVocabulary.joined(separator: ", "))",
        ]
        if !m.dataRecipe.isEmpty {
            // What the model was trained on, its first 400 characters (the whole recipe is in --json).
            lines.append("data: " + (m.dataRecipe.count > 400 ? m.dataRecipe.prefix(400) + "…" : m.dataRecipe))
        }
        if m.trainingSeconds > 0 { lines.append(String(format: "training: %.0f min", m.trainingSeconds / 60)) }
        for (name, value) in m.metrics.sorted(by: { $0.key < $1.key }) { lines.append("metric \(name): \(String(format: "%g", value))") }
        if let p = m.personalization {
            lines.append("personal: enrolled \(p.created) in \(String(format: "%.0f", p.seconds)) s from \(p.baseName.isEmpty ? "a model" : p.baseName) "
                         + "(weights CRC-32 \(p.baseChecksum))")
            lines.append("takes: " + p.takes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            if let folder = p.takesFolder { lines.append("takes folder: \(folder)") }
            if let c = p.calibration {
                let raised = c.words.filter { $0.threshold > VocabularyDecoder.defaultRejectionThreshold }
                lines.append("calibrated: \(c.created) on \(Int(c.noiseSeconds)) s of the room for \(String(format: "%g", c.falseAcceptsPerHour)) false accepts/h; "
                             + (raised.isEmpty ? "no threshold raised"
                                               : "thresholds " + raised.map { "\($0.word) \(String(format: "%.2f", $0.threshold))" }.joined(separator: ", ")))
            }
        }
        print(lines.joined(separator: "\n"))
    }
}
