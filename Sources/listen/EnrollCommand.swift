import ArgumentParser
import Audio
import Foundation
import Recognizer

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Teach listen your voice and your own words: record a few takes of each, fine-tune the model on them (about a minute).",
        discussion: """
            From the microphone, it asks for each word in turn, shows the level while you speak, and \
            asks again when a take holds no speech, clipped, or is drowned in noise. The takes are kept \
            in the takes folder next to the personal model, so a later enrolment of other words trains \
            on all of them. With --from it reads a folder in the Speech Commands layout instead \
            (<word or phrase, _ for spaces>/*.wav|flac; a none/ or _background_noise_/ folder is the \
            room's noise). The personal model is written to $XDG_DATA_HOME/listen/model.lstn \
            (~/.local/share/listen/model.lstn) unless --output says otherwise, and every command uses \
            it when no --model is given.

            Examples:
              listen enroll --words 'lights on,lights off' --takes 3
              listen enroll --from my-takes --output mine.lstn
              listen enroll --reset
            """)

    @Option(help: "Read the takes from this folder (<word>/*.wav) instead of recording them.")
    var from: String?

    @Option(help: "Words and phrases to enrol, comma-separated or @file: from the microphone, the built-in model's default vocabulary if absent; with --from, all the folder's words if absent.")
    var words: String?

    @Option(help: "Takes per word: recorded from the microphone, or the most read from each folder of --from.")
    var takes = 3

    @Option(help: "The model file to write; your personal model if absent.")
    var output: String?

    @Option(help: "The model to start from; the built-in model if absent.")
    var model: String?

    @Option(help: "The PulseAudio source to record (see 'listen devices'); the server's default if absent.")
    var device: String?

    @Option(help: "Passes over the takes.")
    var passes = Enrollment.Settings().passes

    @Option(help: "Adam's peak learning rate.")
    var learningRate = Enrollment.Settings().learningRate

    @Option(help: "How strongly the weights are pulled back toward the base model's (decay per unit of learning rate).")
    var anchorDecay = Enrollment.Settings().anchorDecay

    @Option(help: "GRU layers fine-tuned, from the top (the output layer always is).")
    var trainedLayers = Enrollment.Settings().trainedLayers

    @Option(help: "Seed of the augmentations and of which takes --from uses.")
    var seed: UInt64 = 1

    @Flag(help: "Remove your personal model and its takes, and go back to the built-in model.")
    var reset = false

    func validate() throws {
        if takes < 1 { throw ValidationError("--takes must be positive") }
        if passes < 1 { throw ValidationError("--passes must be positive") }
        if reset && (from != nil || words != nil || output != nil) {
            throw ValidationError("--reset removes the personal model; it takes no --from, --words or --output")
        }
    }

    func run() async throws {
        guard let personal = ModelFile.personalModelPath() else {
            StandardError.write("listen: neither XDG_DATA_HOME nor HOME is set: there is no place for a personal model")
            throw ExitCode.usage
        }
        let folder = (personal as NSString).deletingLastPathComponent
        let takesFolder = folder + "/takes"
        if reset { return try Self.reset(personal: personal, takes: takesFolder) }
        let outputPath = output ?? personal
        try OutputFile.check(outputPath, created: output == nil ? folder : nil)
        let base = try loadBase()
        let wanted = try words.map { try Vocabulary(argument: $0).entries }
        for word in wanted ?? [] {
            do { try base.alphabet.checkSpellable(word) } catch {
                StandardError.write("listen: --words: \(error)")
                throw ExitCode.usage
            }
        }

        var failed = false
        var takesRead: [Enrollment.Take], room: [[Float]], source: String
        if let from {
            (takesRead, room, failed) = try TakesFolder.read(from, words: wanted, most: takes, seed: seed)
            source = from
        } else {
            let recorded = try await TakeRecorder(device: device, words: wanted ?? base.defaultVocabulary, takes: takes).record()
            try FileManager.default.createDirectory(atPath: takesFolder, withIntermediateDirectories: true)
            try TakesFolder.save(recorded.takes, room: recorded.room, to: takesFolder)
            // Earlier takes of other words are trained on again, so enrolling more words keeps the first ones.
            (takesRead, room, failed) = try TakesFolder.read(takesFolder, words: nil, most: .max, seed: seed)
            source = takesFolder
        }
        guard !takesRead.isEmpty else {
            StandardError.write("listen: \(source): no takes to enrol")
            throw ExitCode.inputFailed
        }

        var settings = Enrollment.Settings()
        settings.passes = passes
        settings.learningRate = learningRate
        settings.anchorDecay = anchorDecay
        settings.trainedLayers = trainedLayers
        settings.seed = seed
        let perWord = Dictionary(grouping: takesRead, by: { Vocabulary.normalize($0.text) })
        StandardError.write("listen: enrolling \(perWord.count) word\(perWord.count == 1 ? "" : "s") from \(takesRead.count) takes"
                            + (room.isEmpty ? "" : " and \(String(format: "%.0f", room.reduce(0.0) { $0 + Double($1.count) } / 16000)) s of room noise"))
        let progress = EnrollmentProgress()
        var personalModel = try Enrollment(base: base, settings: settings).run(takes: takesRead, noise: [Enrollment.bundledNoise] + room) { event in
            if case .update(let update, let updates, let loss) = event { progress.update(update, of: updates, loss: loss) }
        }
        personalModel.metadata.personalization?.takesFolder = URL(fileURLWithPath: source).standardizedFileURL.path
        if output == nil { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try OutputFile.write(ModelFile.data(of: personalModel, format: .f16), to: outputPath)
        let added = personalModel.defaultVocabulary.filter { !base.defaultVocabulary.contains($0) }
        let seconds = personalModel.metadata.personalization?.seconds ?? 0
        StandardError.write("listen: wrote \(outputPath) in \(String(format: "%.0f", seconds)) s"
                            + (added.isEmpty ? "" : "; new words: \(added.joined(separator: ", "))"))
        if failed { throw ExitCode.inputFailed }
    }

    private func loadBase() throws -> AcousticModel {
        do {
            return try model.map(ModelFile.read) ?? ModelFile.bundled()
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.usage
        }
    }

    private static func reset(personal: String, takes: String) throws {
        let manager = FileManager.default
        var removed: [String] = []
        for path in [personal, takes] where manager.fileExists(atPath: path) {
            do { try manager.removeItem(atPath: path) } catch {
                StandardError.write("listen: cannot remove \(path): \(inputErrorReason(error))")
                throw ExitCode.inputFailed
            }
            removed.append(path)
        }
        StandardError.write(removed.isEmpty ? "listen: there is no personal model; the built-in model is in use"
                                            : "listen: removed \(removed.joined(separator: " and ")); the built-in model is in use")
    }
}

/// The enrolment's progress line, made at its first update (when the number of updates is known).
private final class EnrollmentProgress: @unchecked Sendable {
    // Safe: `line` is made and used only under `lock`.
    private let lock = NSLock()
    private var line: ProgressLine?

    func update(_ update: Int, of updates: Int, loss: Float) {
        lock.withLock {
            let line = self.line ?? ProgressLine("enrolling", total: updates, unit: "updates", logsWhenPiped: true, interval: 10)
            self.line = line
            line.update(update, detail: String(format: "loss %.3f", loss))
            if update == updates { line.finish() }
        }
    }
}

/// A folder of takes in the Speech Commands layout.
enum TakesFolder {
    /// The folders whose clips are the room's noise, not a word.
    static let noiseFolders: Set<String> = ["none", "_silence_", "_background_noise_", "room"]

    /// The takes of `folder` (at most `most` per word, drawn with `seed`; only `words` if given)
    /// and its noise recordings. Unreadable clips are skipped with a line each.
    /// - Returns: the takes, the noise, and whether a clip was skipped.
    static func read(_ folder: String, words: [String]?, most: Int, seed: UInt64) throws -> (takes: [Enrollment.Take], room: [[Float]], failed: Bool) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            StandardError.write("listen: \(folder): no such folder")
            throw ExitCode.inputFailed
        }
        let clips: [LabelledClip]
        do { clips = try LabelledData.folder(folder) } catch {
            StandardError.write("listen: \(folder): \(inputErrorReason(error))")
            throw ExitCode.inputFailed
        }
        var byWord: [String: [String]] = [:], noise: [String] = []
        for clip in clips {
            let parent = URL(fileURLWithPath: clip.path).deletingLastPathComponent().lastPathComponent
            if noiseFolders.contains(parent) { noise.append(clip.path); continue }
            guard case .words(let text) = clip.label else { continue }
            let word = Vocabulary.normalize(text)
            if let words, !words.contains(word) { continue }
            byWord[word, default: []].append(clip.path)
        }
        if let words {
            for word in words where byWord[word] == nil { StandardError.write("listen: \(folder): no takes of '\(word)'") }
        }
        var generator = SeededGenerator(seed: seed)
        var failed = false
        func decode(_ path: String) -> [Float]? {
            do { return try AudioDecoder.decode(file: path).samples } catch {
                StandardError.write("listen: skipping \(path): \(inputErrorReason(error))")
                failed = true
                return nil
            }
        }
        var takes: [Enrollment.Take] = []
        for word in byWord.keys.sorted() {
            var paths = byWord[word]!
            if paths.count > most { paths = Array(paths.shuffled(using: &generator).prefix(most)).sorted() }
            for path in paths {
                guard let samples = decode(path) else { continue }
                guard samples.contains(where: { $0 != 0 }) else {
                    StandardError.write("listen: skipping \(path): it is silent")
                    failed = true
                    continue
                }
                takes.append(Enrollment.Take(text: word, samples: samples))
            }
        }
        return (takes, noise.compactMap(decode), failed)
    }

    /// Writes takes as `<folder>/<word, _ for spaces>/take-N.wav` (replacing that word's earlier
    /// takes) and the room's noise as `<folder>/room/room.wav`.
    static func save(_ takes: [Enrollment.Take], room: [Float], to folder: String) throws {
        let manager = FileManager.default
        do {
            for (word, group) in Dictionary(grouping: takes, by: { Vocabulary.normalize($0.text) }) {
                let wordFolder = folder + "/" + word.replacingOccurrences(of: " ", with: "_")
                if manager.fileExists(atPath: wordFolder) { try manager.removeItem(atPath: wordFolder) }
                try manager.createDirectory(atPath: wordFolder, withIntermediateDirectories: true)
                for (index, take) in group.enumerated() {
                    try AudioFileWriter.write(take.samples, to: "\(wordFolder)/take-\(index + 1).wav")
                }
            }
            if !room.isEmpty {
                try manager.createDirectory(atPath: folder + "/room", withIntermediateDirectories: true)
                try AudioFileWriter.write(room, to: folder + "/room/room.wav")
            }
        } catch {
            StandardError.write("listen: cannot save the takes in \(folder): \(inputErrorReason(error))")
            throw ExitCode.inputFailed
        }
    }
}
