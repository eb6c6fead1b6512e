import Audio
import Foundation
import TestSupport
import Testing

@Suite("listen transcribe (end to end)")
struct TranscribeCommandTests {
    static let examples = Fixtures.packageRoot.path + "/Examples"

    static func records(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    /// A folder with two good clips in a subfolder and a broken one between them.
    static func mixedFolder() throws -> String {
        let folder = try Fixtures.scratchFolder().path
        try FileManager.default.createDirectory(atPath: folder + "/b", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: examples + "/yes.wav", toPath: folder + "/b/1.wav")
        try Data("ID3\u{3}not really an mp3".utf8).write(to: URL(fileURLWithPath: folder + "/b/2.wav"))
        try FileManager.default.copyItem(atPath: examples + "/stop.wav", toPath: folder + "/b/3.flac.wav")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/b/readme.txt"))
        return folder
    }

    @Test("Folders are searched recursively for audio; records come in input order; a bad file gets an error record and exit 1")
    func folderWithBadFile() throws {
        let folder = try Self.mixedFolder()
        let result = try ListenProcess.run(["transcribe", "--format", "jsonl", "--jobs", "2", folder, Self.examples + "/no.wav"])
        #expect(result.status == 1)
        let records = try Self.records(result.output)
        #expect(records.map { $0["file"] as? String } == [folder + "/b/1.wav", folder + "/b/2.wav", folder + "/b/3.flac.wav", Self.examples + "/no.wav"])
        #expect(records[1]["error"] as? String == "not a WAV/FLAC/OGG/MP3 file: unknown header 'ID3\\x03'")
        #expect(records[0]["duration"] as? Double != nil && records[0]["words"] is [Any])
        #expect(result.standardError.contains("\(folder)/b/2.wav: not a WAV/FLAC/OGG/MP3 file"))
    }

    @Test("A folder without audio files is named as one, with the extensions read; the other inputs are still heard, exit 1")
    func folderWithoutAudio() throws {
        let folder = try Fixtures.scratchFolder().path + "/notes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "text".write(toFile: folder + "/readme.txt", atomically: true, encoding: .utf8)
        let result = try ListenProcess.run(["transcribe", folder, Self.examples + "/no.wav"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(folder): a folder with no audio files in it (wav flac"), "\(result.standardError)")
        #expect(result.output.contains("no.wav\tno"))
    }

    @Test("--output appears complete (every record, errors included) or not at all")
    func atomicOutput() throws {
        let folder = try Self.mixedFolder()
        let output = try Fixtures.scratchFolder().path + "/out.csv"
        let result = try ListenProcess.run(["transcribe", "--format", "csv", "--output", output, folder])
        #expect(result.status == 1 && result.output.isEmpty)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "file,time,word,start,end,confidence,error")
        #expect(lines.contains { $0.hasPrefix("\(folder)/b/2.wav,,,,,,not a WAV/FLAC/OGG/MP3 file") })
        let unwritable = try ListenProcess.run(["transcribe", "--output", "/nonexistent/dir/out.txt", Self.examples + "/yes.wav"])
        #expect(unwritable.status == 2 && unwritable.standardError.contains("cannot write /nonexistent/dir/out.txt"))  // refused before any work
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/dir/out.txt"))
    }

    @Test("Standard input: a WAV is transcribed as \"-\"; empty input fails naming -")
    func standardInput() throws {
        let wav = try Data(contentsOf: URL(fileURLWithPath: Self.examples + "/yes.wav"))
        let result = try ListenProcess.run(["transcribe", "--format", "jsonl", "-"], input: wav)
        #expect(result.status == 0)
        #expect(try Self.records(result.output).first?["file"] as? String == "-")
        let empty = try ListenProcess.run(["transcribe", "-"], input: Data())
        #expect(empty.status == 1 && empty.standardError.contains("-: "))
    }

    @Test("Usage errors exit 2: no inputs, a missing model, --exec without --keyword, decoder knobs and warps out of range, --jobs 0, --passes 0")
    func usageErrors() throws {
        #expect(try ListenProcess.run(["transcribe"]).status == 2)
        let missing = try ListenProcess.run(["transcribe", "--model", "/nonexistent.lstn", Self.examples + "/yes.wav"])
        #expect(missing.status == 2 && missing.standardError.contains("/nonexistent.lstn"))
        #expect(try ListenProcess.run(["transcribe", Self.examples + "/yes.wav", "--exec", "/bin/true"]).status == 2)
        let unspellable = try ListenProcess.run(["transcribe", "--vocabulary", "yes,naïve", Self.examples + "/yes.wav"])
        #expect(unspellable.status == 2)
        for knob in [["--rejection-threshold", "1.5"], ["--unknown-penalty", "3"], ["--edge-padding", "2"],
                     ["--frequency-warps", "0.9,x"], ["--frequency-warps", "3"], ["--frequency-warps", "0.9,,1.1"], ["--recheck-below", "1.5"]] {
            let result = try ListenProcess.run(["transcribe"] + knob + [Self.examples + "/yes.wav"])
            #expect(result.status == 2 && result.standardError.contains(knob[0]))
        }
        for command in [["transcribe", "--jobs", "0"], ["eval", "--jobs", "0"], ["bench", "--jobs", "0"], ["bench", "--passes", "0"]] {
            let result = try ListenProcess.run(command + [Self.examples + "/yes.wav"])
            #expect(result.status == 2 && result.standardError.contains(command[1]))
        }
    }

    @Test("An output file that is a folder, or whose folder is missing, is refused by name before any work, exit 2")
    func unwritableOutputs() throws {
        let folder = NSTemporaryDirectory()
        for (path, arguments) in [(folder, ["transcribe", "--output", folder, Self.examples + "/yes.wav"]),
                                  ("/nonexistent/e.json", ["eval", "--summary", "/nonexistent/e.json", Self.examples]),
                                  ("/nonexistent/p.svg", ["eval", "--summary", "-", "--plot", "/nonexistent/p.svg", Self.examples]),
                                  ("/nonexistent/m.lstn", ["train", "--real", "/nonexistent", "--checkpoints", "/tmp/unused",
                                                           "--output", "/nonexistent/m.lstn"])] {
            let result = try ListenProcess.run(arguments)
            #expect(result.status == 2 && result.standardError.contains("cannot write \(path)"), "\(arguments)")
        }
    }

    @Test("listen bench names each unreadable input, still prints its figures, and exits 1")
    func benchUnreadable() throws {
        let result = try ListenProcess.run(["bench", "--passes", "1", Self.examples + "/yes.wav", "/nonexistent.wav"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent.wav: no such file"))
        #expect(result.output.contains("clips: 2 (") && result.output.contains("1 unreadable") && result.output.contains("clips/s"))
    }

    @Test("listen bench names the OpenBLAS kernels it ran, as OPENBLAS_CORETYPE chose them, and hears the same")
    func benchNamesKernels() throws {
        for (coreType, name) in [("HASWELL", "Haswell"), ("PRESCOTT", "Prescott")] {
            let bench = try ListenProcess.run(["bench", "--passes", "1", Self.examples + "/yes.wav"],
                                              environment: ["OPENBLAS_CORETYPE": coreType])
            #expect(bench.status == 0 && bench.output.contains("BLAS kernels: OpenBLAS \(name)\n"), "\(bench.output)")
            let heard = try ListenProcess.run(["transcribe", Self.examples + "/yes.wav"], environment: ["OPENBLAS_CORETYPE": coreType])
            #expect(heard.output == "yes\n", "\(coreType): \(heard.output)")
        }
    }

    @Test("--edge-padding overrides the model's padding; word times stay within the clip")
    func edgePadding() throws {
        // The shipped speech-embedding model was trained with 0.4 s; with none its first and last
        // windows reach only into the clip's middle (docs/MODEL.md, known weaknesses).
        for padding in ["0.2", "0.6"] {
            let result = try ListenProcess.run(["transcribe", "--edge-padding", padding, "--format", "jsonl", Self.examples + "/yes.wav"])
            #expect(result.status == 0, "\(result.standardError)")
            let record = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let duration = try #require(record?["duration"] as? Double)
            let word = try #require((record?["words"] as? [[String: Any]])?.first)
            #expect(record?["text"] as? String == "yes", "\(padding): \(result.output)")
            let (start, end) = (try #require(word["start"] as? Double), try #require(word["end"] as? Double))
            #expect(0 <= start && start <= end && end <= duration, "\(padding): \(word)")
        }
    }

    @Test("Word times are where the words are: 'go', 0.3 s of silence, 'stop', after 0.6 s of silence")
    func wordTimes() throws {
        let go = try AudioDecoder.decode(file: Self.examples + "/go.wav").samples
        let stop = try AudioDecoder.decode(file: Self.examples + "/stop.wav").samples
        func silence(_ seconds: Double) -> [Float] { [Float](repeating: 0, count: Int(seconds * 16_000)) }
        let path = try Fixtures.scratchFolder().path + "/go-stop.wav"
        try AudioFileWriter.write(silence(0.6) + go + silence(0.3) + stop + silence(0.3), to: path)
        let result = try ListenProcess.run(["transcribe", "--format", "jsonl", path])
        let record = try #require(try Self.records(result.output).first)
        #expect(record["text"] as? String == "go stop", "\(result.output)")
        let words = try #require(record["words"] as? [[String: Any]])
        let times = words.compactMap { word in (word["start"] as? Double).flatMap { start in (word["end"] as? Double).map { [start, $0] } } }
        let stopStart = 0.6 + Double(go.count) / 16_000 + 0.3
        #expect(times.count == 2 && abs(times[0][0] - 0.6) <= 0.05 && times[0][1] <= stopStart - 0.3, "\(times)")
        #expect(times.count == 2 && abs(times[1][0] - stopStart) <= 0.05 && times[1][1] <= stopStart + Double(stop.count) / 16_000, "\(times)")
    }

    @Test("A long recording is heard utterance by utterance: eight words over 15 s, each at its place")
    func longRecording() throws {
        let names = ["yes", "go", "left", "stop", "seven", "up", "no", "right"]
        let pauses = [0.9, 1.4, 0.4, 1.1, 0.6, 0.8, 1.3, 0.5]
        var samples = [Float](repeating: 0, count: 8_000)
        var places: [(start: Double, end: Double)] = []
        for (name, pause) in zip(names, pauses) {
            let word = try AudioDecoder.decode(file: Self.examples + "/\(name).wav").samples
            places.append((Double(samples.count) / 16_000, Double(samples.count + word.count) / 16_000))
            samples += word + [Float](repeating: 0, count: Int(pause * 16_000))
        }
        // A faint noise floor (about −80 dBFS), as every microphone has: the speech embedding hears
        // exact digital silence (its −100 dB floor) unlike any real room (docs/MODEL.md, known weaknesses).
        var state: UInt32 = 12_345
        for i in samples.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            samples[i] += (Float(state >> 8) / Float(1 << 24) - 0.5) * 3.5e-4
        }
        let path = try Fixtures.scratchFolder().path + "/long.wav"
        try AudioFileWriter.write(samples, to: path)
        let result = try ListenProcess.run(["transcribe", "--format", "jsonl", path])
        let record = try #require(try Self.records(result.output).first)
        #expect(record["text"] as? String == names.joined(separator: " "), "\(result.output)")
        let words = try #require(record["words"] as? [[String: Any]])
        for (word, place) in zip(words, places) {
            let (start, end) = (try #require(word["start"] as? Double), try #require(word["end"] as? Double))
            #expect(place.start - 0.01 <= start && start < end && end <= place.end + 0.01, "\(word) against \(place)")
        }
    }

    @Test("A negative --unknown-penalty is taken as written, with or without '='")
    func negativePenalty() throws {
        for knob in [["--unknown-penalty", "-8"], ["--unknown-penalty=-8"]] {
            let result = try ListenProcess.run(["transcribe"] + knob + ["--rejection-threshold", "0.2", Self.examples + "/yes.wav"])
            #expect(result.status == 0)
            #expect(result.output == "yes\n")
        }
    }

    @Test("--decoder greedy and beam give open-vocabulary text; csv quotes fields with commas")
    func decoders() throws {
        for decoder in ["greedy", "beam"] {
            let result = try ListenProcess.run(["transcribe", "--decoder", decoder, "--format", "jsonl", Self.examples + "/yes.wav"])
            #expect(result.status == 0)
            #expect(try Self.records(result.output).count == 1)
        }
        let folder = try Fixtures.scratchFolder().path
        try FileManager.default.copyItem(atPath: Self.examples + "/yes.wav", toPath: folder + "/a,b.wav")
        let csv = try ListenProcess.run(["transcribe", "--format", "csv", folder + "/a,b.wav"])
        #expect(csv.output.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("\"\(folder)/a,b.wav\",") })
    }
}
