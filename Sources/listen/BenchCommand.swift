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

            Examples:
              listen bench recordings/ --passes 3
              listen bench recordings/ --jobs 1 --model mine.lstn
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @OptionGroup var workers: JobsOption

    @Option(help: "Passes over the clips; the best pass is reported.")
    var passes = 3

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        if passes < 1 { throw ValidationError("--passes must be at least 1") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let decoding = try modelOptions.vocabularyDecoding(for: model), warps = modelOptions.warps
        let inputs = TranscribeCommand.expand(paths)
        for input in inputs { if let problem = input.problem { StandardError.write("listen: \(input.name): \(inputErrorReason(problem))") } }
        let files = inputs.filter { $0.problem == nil }.map(\.name)
        guard !files.isEmpty else {
            StandardError.write("listen: no audio files in \(paths.joined(separator: " "))")
            throw ExitCode.inputFailed
        }
        var best = Double.infinity, audioSeconds = 0.0, failures = 0
        for pass in 0..<passes {
            let started = Date()
            let durations = try ParallelMap.map(count: files.count, jobs: workers.jobs,
                                                makeWorker: { try Recognizer(model: model, decoding: decoding, warps: warps) }) { recognizer, index in
                Result { () throws -> Double in
                    let audio = try AudioDecoder.decode(file: files[index])
                    _ = recognizer.transcribe(samples: audio.samples)
                    return Double(audio.samples.count) / 16_000
                }
            }
            best = min(best, Date().timeIntervalSince(started))
            audioSeconds = durations.compactMap { try? $0.get() }.reduce(0, +)
            failures = 0
            for (index, duration) in durations.enumerated() {
                guard case .failure(let error) = duration else { continue }
                failures += 1
                if pass == 0 { StandardError.write("listen: \(files[index]): \(inputErrorReason(error))") }
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "clips: %d (%.1f s of audio, %d unreadable), jobs: %d", files.count, audioSeconds, failures, workers.jobs))
        print(String(format: "best of %d passes: %.3f s = %.0f clips/s = %.0f× realtime", passes, best,
                     Double(files.count - failures) / best, audioSeconds / best))
        print(String(format: "peak RSS: %.1f MB", Double(usage.ru_maxrss) / 1024))
        print("BLAS kernels: OpenBLAS \(BLASKernels.coreName)")
        if failures > 0 || files.count < inputs.count { throw ExitCode.inputFailed }
    }
}
