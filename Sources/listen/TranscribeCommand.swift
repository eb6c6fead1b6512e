import ArgumentParser
import Audio
import Foundation
import Recognizer

/// `listen transcribe PATH…`: files and folders in, one record per input out, in input order.
struct TranscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Recognise the command words in audio files, folders (recursive) or standard input.",
        discussion: """
            Output, one record per input in the order given: text prints the accepted words (prefixed \
            by the file and a tab when there are several inputs); jsonl prints the contract's objects; \
            csv prints one row per recognised word (file,time,word,start,end,confidence,error; time is the microphone's). A file that \
            cannot be read gets an error record, the batch goes on, and the exit code is 1. With \
            --output the file appears complete at the end or not at all.

            Hooks: --hooks FILE (JSON) or the quick form --keyword WORD --exec PROGRAM ARGS… run actions for \
            detections; events are JSON lines on standard output.

            Examples:
              listen transcribe Examples/go_left.wav
              listen transcribe recordings/ --format csv --output results.csv
              arecord -f S16_LE -r 16000 -d 2 | listen transcribe -
              listen transcribe archive/ --format jsonl --shard 3/8 > part-3.jsonl
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl, csv }

    @Argument(help: "Audio files, folders (searched recursively for audio files), or - for standard input.")
    var paths: [String] = []

    @Option(help: "Output format: text, jsonl or csv.")
    var format: Format = .text

    @Option(help: "Write the results to this file instead of standard output.")
    var output: String?

    @Option(help: ArgumentHelp("Process only shard K of N (K from 0) of the input list: contiguous, in the list's order, so the shards' outputs concatenated in K order are the whole run's. 'auto' reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (minus SLURM_ARRAY_TASK_MIN), or Kubernetes' JOB_COMPLETION_INDEX with the count from 'auto/N' or LISTEN_SHARD_COUNT.",
                               valueName: "K/N|auto"))
    var shard: String?

    @OptionGroup var workers: JobsOption

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var decoderOptions: DecoderOptions
    @OptionGroup var hookOptions: HookOptions
    @OptionGroup var input: AudioInputOptions

    func validate() throws {
        try hookOptions.check()  // first: an --exec before the other options swallows the paths too
        if paths.isEmpty { throw ValidationError("give audio files, folders, or - for standard input") }
        if let shard { _ = try Shard(shard) }
    }

    func run() throws {
        if let output { try OutputFile.check(output) }
        let model = try modelOptions.load()
        let hookConfiguration = try hookOptions.configuration()
        let decoding = try decoderOptions.decoding(model: model, options: modelOptions, keywords: hookConfiguration?.keywords ?? [])
        // Hook events are JSON lines: on stdout among the records in jsonl, else on stderr, so that
        // every line of stdout is of the format asked for.
        let hooks = hookConfiguration.map { hookOptions.runner($0, events: LineWriter(handle: format == .jsonl ? .standardOutput : .standardError)) }
        let everything = Self.expand(paths)
        let inputs = try shard.map { Array(everything[try Shard($0).range(of: everything.count)]) } ?? everything
        // Results printed to the terminal as they come would be drawn over by the progress line.
        let progress = ProgressLine("transcribe", total: inputs.count, unit: "files", enabled: output != nil || isatty(STDOUT_FILENO) == 0)
        let results = StreamingResults(format: format, toStandardOutput: output == nil, inputCount: inputs.count)
        let delivery = OrderedDelivery<Result<Transcript, Error>>(count: inputs.count) { index, result in
            results.add(file: inputs[index].name, result)
            if case .success(let transcript) = result, let hooks {
                hooks.process(transcript, source: inputs[index].name)
            }
        }
        let source = input, warps = modelOptions.warps
        _ = try ParallelMap.map(count: inputs.count, jobs: workers.jobs,
                                makeWorker: { try Recognizer(model: model, decoding: decoding, warps: warps) },
                                progress: { progress.update($0) }) { recognizer, index -> Bool in
            let result = Result { () throws -> Transcript in
                if let problem = inputs[index].problem { throw problem }
                return recognizer.transcribe(samples: try source.decode(inputs[index].name).samples)
            }
            delivery.deliver(result, at: index)
            return true
        }
        progress.finish()
        hooks?.waitForActions()
        if let output {
            try OutputFile.write(results.text, to: output)
        }
        if results.failures > 0 { throw ExitCode.inputFailed }
    }

    /// One input: a file to read, or a path that cannot be used and why.
    struct Input: Sendable {
        var name: String
        var problem: AudioError?
    }

    /// Files stay as given; folders become their audio files (recursive, sorted); a missing
    /// path or an empty folder becomes an input that fails with a message.
    static func expand(_ paths: [String]) -> [Input] {
        var inputs: [Input] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard path != "-", manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                inputs.append(Input(name: path))
                continue
            }
            let files = (manager.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { LabelledData.audioExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted()
            if files.isEmpty { inputs.append(Input(name: path, problem: .noAudioFiles(path))) }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            inputs += files.map { Input(name: prefix + $0) }
        }
        return inputs
    }
}

/// `--decoder` and `--beam-width`: how log-probabilities become words.
struct DecoderOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable { case vocabulary, greedy, beam }

    @Option(help: "vocabulary (command words + [unk], the default), greedy or beam (open vocabulary, any spelling).")
    var decoder: Kind = .vocabulary

    @Option(help: "Beam width for --decoder beam.")
    var beamWidth = 8

    /// The decoding asked for; with a vocabulary, `keywords` (the hooks') join it.
    func decoding(model: AcousticModel, options: ModelOptions, keywords: [String] = []) throws -> Recognizer.Decoding {
        switch decoder {
        case .vocabulary: try options.vocabularyDecoding(for: model, adding: keywords)
        case .greedy: .greedy
        case .beam: .beamSearch(width: max(1, beamWidth))
        }
    }
}

/// Runs `deliver`'s callback in index order as results arrive from several threads.
final class OrderedDelivery<Value>: @unchecked Sendable {
    // Safe: `pending` and `next` are only touched under `lock`; callbacks run under it, one at a time.
    private let lock = NSLock()
    private var pending: [Int: Value] = [:]
    private var next = 0
    private let callback: (Int, Value) -> Void

    init(count: Int, _ callback: @escaping (Int, Value) -> Void) { self.callback = callback }

    func deliver(_ value: Value, at index: Int) {
        lock.withLock {
            pending[index] = value
            while let ready = pending.removeValue(forKey: next) {
                callback(next, ready)
                next += 1
            }
        }
    }
}

/// Formats records; streams them to standard output or keeps them for an atomic file write.
final class StreamingResults: @unchecked Sendable {
    // Safe: only called from OrderedDelivery's callback, which runs under its lock.
    let format: TranscribeCommand.Format
    private let toStandardOutput: Bool
    private let showsFile: Bool
    private var buffer = Data()
    private(set) var failures = 0

    init(format: TranscribeCommand.Format, toStandardOutput: Bool, inputCount: Int) {
        self.format = format
        self.toStandardOutput = toStandardOutput
        showsFile = inputCount > 1
        if format == .csv { emit(Self.csvHeader + "\n") }
    }

    var text: Data { buffer }

    func add(file: String, _ result: Result<Transcript, Error>) {
        switch result {
        case .success(let transcript): emit(Self.record(transcript, file: file, format: format, showsFile: showsFile))
        case .failure(let error):
            failures += 1
            let reason = inputErrorReason(error)
            StandardError.write("listen: \(file): \(reason)")
            switch format {
            case .jsonl: emit("{\"file\":\(JSONText.quoted(file)),\"error\":\(JSONText.quoted(reason))}\n")
            case .csv: emit("\(Self.csv(file)),,,,,,\(Self.csv(reason))\n")
            case .text: break
            }
        }
    }

    /// One transcript in a format; `file` nil leaves it out (mic mode adds "time" instead).
    static func record(_ transcript: Transcript, file: String?, format: TranscribeCommand.Format, showsFile: Bool,
                       time: String? = nil) -> String {
        switch format {
        case .text:
            return (showsFile ? "\(file ?? time ?? "")\t" : "") + transcript.text + "\n"
        case .jsonl:
            let words = transcript.words.map {
                "{\"word\":\(JSONText.quoted($0.word)),"
                    + String(format: "\"start\":%.3f,\"end\":%.3f,\"confidence\":%.4f}", $0.start, $0.end, $0.confidence)
            }
            let head = file.map { "\"file\":\(JSONText.quoted($0))," } ?? time.map { "\"time\":\"\($0)\"," } ?? ""
            return "{\(head)" + String(format: "\"duration\":%.3f,", transcript.duration)
                + "\"text\":\(JSONText.quoted(transcript.text)),\"words\":[\(words.joined(separator: ","))]}\n"
        case .csv:
            // The columns of `csvHeader`: a file's rows leave the time empty, the microphone's the file.
            let name = csv(file ?? "") + "," + csv(time ?? "")
            guard !transcript.words.isEmpty else { return "\(name),,,,,\n" }
            return transcript.words.map {
                "\(name),\(csv($0.word))," + String(format: "%.3f,%.3f,%.4f,", $0.start, $0.end, $0.confidence) + "\n"
            }.joined()
        }
    }

    /// The CSV columns of files and of the microphone alike.
    static let csvHeader = "file,time,word,start,end,confidence,error"

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func emit(_ text: String) {
        if toStandardOutput {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            buffer.append(contentsOf: text.utf8)
        }
    }
}

/// `--shard`: which contiguous part of the input list this run processes.
struct Shard: Equatable {
    /// This shard (from 0) and the number of shards.
    var index: Int
    var count: Int

    /// Parses `K/N`, `auto` or `auto/N`, reading `environment` for `auto`.
    init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var index: Int?, count: Int?
        if parts[0] == "auto" {
            if let task = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) {
                index = task - (environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0)
                count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init)
            } else if let completion = environment["JOB_COMPLETION_INDEX"].flatMap(Int.init) {
                index = completion
                count = environment["LISTEN_SHARD_COUNT"].flatMap(Int.init)
            } else {
                throw ValidationError("--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
            }
            if parts.count == 2 { count = Int(parts[1]) }
            guard parts.count <= 2, let count else {
                throw ValidationError("--shard auto: the number of shards is not known (SLURM_ARRAY_TASK_COUNT, or give auto/N or LISTEN_SHARD_COUNT)")
            }
            self.count = count
        } else {
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
                throw ValidationError("--shard must be K/N (K from 0), auto or auto/N, got '\(text)'")
            }
            index = k
            self.count = n
        }
        self.index = index ?? 0
        guard self.count >= 1, (0..<self.count).contains(self.index) else {
            throw ValidationError("--shard: shard \(self.index) of \(self.count) does not exist (K runs from 0 to N-1)")
        }
    }

    /// The indices of a list of `total` inputs this shard takes: the K-th of N near-equal runs.
    func range(of total: Int) -> Range<Int> {
        (index * total / count)..<((index + 1) * total / count)
    }
}
