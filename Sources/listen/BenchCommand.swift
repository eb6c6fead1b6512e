import ArgumentParser
import Audio
import Foundation
import Recognizer

/// `listen bench PATH…`: batch-transcription throughput and peak memory, printed.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure batch transcription: clips per second, times realtime, peak memory.",
        discussion: """
            Runs what 'listen transcribe' runs (decode, resample, features, model, vocabulary decoder) \
            over every clip without printing the records, --passes times, and prints the figures.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @OptionGroup var workers: JobsOption

    @Option(help: "Passes over the clips; the best pass is reported.")
    var passes = 3

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let model = try modelOptions.load()
        let decoding = try modelOptions.vocabularyDecoding(for: model)
        let files = TranscribeCommand.expand(paths).filter { $0.problem == nil }.map(\.name)
        guard !files.isEmpty else {
            StandardError.write("listen: no audio files in \(paths.joined(separator: " "))")
            throw ExitCode.inputFailed
        }
        var best = Double.infinity, audioSeconds = 0.0, failures = 0
        for _ in 0..<max(1, passes) {
            let started = Date()
            let durations = try ParallelMap.map(count: files.count, jobs: workers.jobs,
                                                makeWorker: { try Recognizer(model: model, decoding: decoding) }) { recognizer, index -> Double? in
                guard let audio = try? AudioDecoder.decode(file: files[index]) else { return nil }
                _ = recognizer.transcribe(samples: audio.samples)
                return Double(audio.samples.count) / 16_000
            }
            best = min(best, Date().timeIntervalSince(started))
            audioSeconds = durations.compactMap { $0 }.reduce(0, +)
            failures = durations.filter { $0 == nil }.count
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "clips: %d (%.1f s of audio, %d unreadable), jobs: %d", files.count, audioSeconds, failures, workers.jobs))
        print(String(format: "best of %d passes: %.3f s = %.0f clips/s = %.0f× realtime", max(1, passes), best,
                     Double(files.count) / best, audioSeconds / best))
        print(String(format: "peak RSS: %.1f MB", Double(usage.ru_maxrss) / 1024))
    }
}
