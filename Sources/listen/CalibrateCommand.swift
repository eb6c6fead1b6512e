import ArgumentParser
import Audio
import Foundation
import Recognizer

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Set a threshold per word from your room's noise, for a target rate of false accepts, and store them in your personal model.",
        discussion: """
            It listens to the room for --seconds (keep quiet, let the room make its usual noise) or reads \
            recordings of it (--from), hears every word the noise sets off at any confidence, and raises \
            each word's threshold above the confidences that would make more false accepts per hour than \
            --false-accepts-per-hour. A threshold is never lowered below the decoder's own. The enrolment \
            takes, mixed with the room's noise, give each word's expected miss rate at its threshold. \
            The thresholds are stored in the personal model (or --output), where every command and hook \
            uses them. The table goes to standard output.

            Examples:
              listen calibrate                              # 2 minutes of the room
              listen calibrate --from room.flac --false-accepts-per-hour 0.5
            """)

    @Option(parsing: .upToNextOption, help: "Recordings of the room to read instead of listening.")
    var from: [String] = []

    @Option(help: "Seconds to listen to the room.")
    var seconds = 120.0

    @Option(help: "The PulseAudio source to record (see 'listen devices'); the server's default if absent.")
    var device: String?

    @Option(help: ArgumentHelp("False accepts per hour to allow, per word.", valueName: "rate"))
    var falseAcceptsPerHour = 1.0

    @Option(help: "The model to calibrate; your personal model if absent, else the built-in one.")
    var model: String?

    @Option(help: "The model file to write; your personal model if absent.")
    var output: String?

    @Option(help: "A folder of takes (<word>/*.wav) for the miss rates; the enrolment's takes if absent.")
    var takes: String?

    func validate() throws {
        if !(falseAcceptsPerHour > 0) { throw ValidationError("--false-accepts-per-hour must be positive") }
        if !(seconds >= 10 && seconds <= 3600) { throw ValidationError("--seconds must be between 10 and 3600") }
    }

    func run() async throws {
        guard let outputPath = output ?? ModelFile.personalModelPath() else {
            StandardError.write("listen: neither XDG_DATA_HOME nor HOME is set: give --output")
            throw ExitCode.usage
        }
        let personalFolder = output == nil ? (outputPath as NSString).deletingLastPathComponent : nil
        try OutputFile.check(outputPath, created: personalFolder)
        var options = try ModelOptions.parse(model.map { ["--model", $0] } ?? [])
        options.vocabulary = nil
        let chosen = try options.load()

        var failed = false
        var room: [[Float]] = []
        if from.isEmpty {
            room = [try await recordRoom()]
        } else {
            for path in from {
                do { room.append(try AudioDecoder.decode(file: path).samples) } catch {
                    StandardError.write("listen: skipping \(path): \(inputErrorReason(error))")
                    failed = true
                }
            }
            guard !room.isEmpty else {
                StandardError.write("listen: no recording of the room could be read")
                throw ExitCode.inputFailed
            }
        }
        var takesRead: [Enrollment.Take] = []
        if let folder = takes ?? chosen.metadata.personalization?.takesFolder, FileManager.default.fileExists(atPath: folder) {
            let read = try TakesFolder.read(folder, words: nil, most: .max, seed: 1)
            takesRead = read.takes
            failed = failed || read.failed
        } else if let takes {
            StandardError.write("listen: \(takes): no such folder")
            throw ExitCode.inputFailed
        }

        let started = Date()
        let (calibrated, summary) = try Calibration(model: chosen).run(noise: room, takes: takesRead, falseAcceptsPerHour: falseAcceptsPerHour)
        if let personalFolder { try? FileManager.default.createDirectory(atPath: personalFolder, withIntermediateDirectories: true) }
        try OutputFile.write(ModelFile.data(of: calibrated, format: .f16), to: outputPath)
        print(Self.table(summary))
        StandardError.write(String(format: "listen: calibrated on %.0f s of the room in %.0f s; wrote %@", summary.noiseSeconds,
                                   Date().timeIntervalSince(started), outputPath))
        if failed { throw ExitCode.inputFailed }
    }

    /// Listens to the room for `seconds`, with a progress line.
    private func recordRoom() async throws -> [Float] {
        let capture = PulseCapture(device: device)
        let signals = MicCommand.stopOnSignals(capture)
        defer { signals.forEach { $0.cancel() } }
        let wanted = Int(seconds * 16000)
        var samples: [Float] = []
        let progress = ProgressLine("listening to the room", total: Int(seconds), unit: "s", logsWhenPiped: true, interval: 30)
        do {
            for try await event in capture.events() {
                switch event {
                case .connected(let source):
                    StandardError.write("listen: recording the room from \(source) for \(Int(seconds)) s; keep quiet")
                case .disconnected(let reason, let retry):
                    StandardError.write("listen: \(reason); retrying in \(retry) s")
                case .samples(let chunk):
                    samples += chunk.prefix(wanted - samples.count)
                    progress.update(samples.count / 16000)
                    if samples.count >= wanted { capture.stop() }
                }
            }
        } catch {
            progress.finish()
            StandardError.write("listen: \(error)")
            throw ExitCode.inputFailed
        }
        progress.finish()
        guard samples.count >= 10 * 16000 else {
            StandardError.write("listen: stopped after \(samples.count / 16000) s of the room (10 s at least); nothing calibrated")
            throw ExitCode.inputFailed
        }
        return samples
    }

    /// One line per word: its threshold, false accepts before and after (per hour), takes and misses.
    static func table(_ summary: Calibration.Summary) -> String {
        let hours = max(summary.noiseSeconds, 1) / 3600
        let width = max(4, summary.words.map(\.word.count).max() ?? 0)
        func padded(_ text: String) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = [padded("word") + "  threshold  false accepts/h before  after  takes  expected misses"]
        for word in summary.words {
            let misses = word.missRate.map { String(format: "%.0f%%", 100 * $0) } ?? "-"
            lines.append(padded(word.word) + String(format: "  %9.2f  %22.1f  %5.1f  %5d  %15@", word.threshold, Double(word.falseAcceptsBefore) / hours,
                                                    Double(word.falseAcceptsAfter) / hours, word.takes, misses as NSString))
        }
        return lines.joined(separator: "\n")
    }
}
