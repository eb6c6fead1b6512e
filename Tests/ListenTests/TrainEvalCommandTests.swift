import Foundation
import TestSupport
import Testing

@Suite("listen train and listen eval (end to end)", .enabled(if: Fixtures.has("data/one-speaker-train"), "needs ../shared/data/one-speaker-train"))
struct TrainEvalCommandTests {
    /// A Speech Commands folder of real clips: three of each of four words, three of background noise.
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    @Test("train writes a checkpoint per epoch (with the weight average), resumes it, writes the model (time reduction, mel bands and f16 weights recorded) and plot; eval scores it")
    func trainResumeEval() throws {
        let corpus = try Fixtures.smallCorpus()
        let work = try Fixtures.scratchFolder().path
        let common = ["train", "--real", corpus, "--hidden-size", "16", "--layers", "2", "--time-reduction", "2", "--batch-size", "4",
                      "--checkpoints", work + "/run", "--output", work + "/small.lstn", "--seed", "3",
                      "--warp", "0.1", "--stretch", "0.1", "--frequency-mask", "8", "--average-decay", "0.9",
                      "--mel-bands", "24", "--monitor", corpus]
        let first = try ListenProcess.run(common + ["--epochs", "2"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardError.contains("0 manifest + 15 folder clips"))
        #expect(try Self.json(work + "/run/state.json")["epoch"] as? Int == 2)
        #expect(FileManager.default.fileExists(atPath: work + "/run/average.lstn"))
        let resumed = try ListenProcess.run(common + ["--epochs", "3", "--weight-format", "f16"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("resuming \(work)/run after epoch 2"))
        let state = try Self.json(work + "/run/state.json")
        #expect(state["epoch"] as? Int == 3 && (state["accuracies"] as? [Double])?.count == 3)
        // --monitor: scored like `listen eval` after every epoch, across the resumption; the 12 command clips of the corpus.
        #expect(((state["monitored"] as? [String: Any])?[corpus] as? [[Double]])?.map { $0[0] } == [1, 2, 3])
        #expect(first.standardError.contains("epoch 2/2") && first.standardError.contains("; corpus ")
                && first.standardError.contains("/12)"), "\(first.standardError)")
        let plot = try String(contentsOfFile: work + "/run/training.svg", encoding: .utf8)
        #expect(plot.hasPrefix("<svg") && plot.contains("polyline") && plot.contains("corpus, as listen eval scores it"))
        let header = try Data(contentsOf: URL(fileURLWithPath: work + "/small.lstn")).prefix(4_096)
        #expect(header.range(of: Data(#""timeReduction":2"#.utf8)) != nil, "the model file's header records the time reduction")
        #expect(header.range(of: Data(#""melBandCount":24"#.utf8)) != nil && header.range(of: Data(#""inputSize":24"#.utf8)) != nil,
                "the model reads 24-band frames")
        #expect(header.range(of: Data(#""dtype":"f16""#.utf8)) != nil && header.range(of: Data(#""dtype":"f32""#.utf8)) == nil,
                "--weight-format f16 stores every tensor in 16 bits")

        let eval = try ListenProcess.run(["eval", corpus, "--model", work + "/small.lstn", "--summary", work + "/eval.json",
                                          "--plot", work + "/confusion.svg", "--vocabulary", "left,right,stop,two"])
        #expect(eval.status == 0, "\(eval.standardError)")
        #expect(eval.output.contains("accuracy:") && eval.output.contains("per word:") && eval.output.contains("confusion matrix"))
        let summary = try Self.json(work + "/eval.json")
        #expect(summary["command_clips"] as? Int == 12)
        let noise = (summary["false_accepts"] as? [String: Any])?["noise"] as? [String: Any]
        #expect(noise?["clips"] as? Int == 3)
        #expect(try String(contentsOfFile: work + "/confusion.svg", encoding: .utf8).contains("<rect"))
    }

    @Test("train --convolution 4,6 writes a model with both convolutions in its header, and eval runs it")
    func convolution() throws {
        let corpus = try Fixtures.smallCorpus()
        let work = try Fixtures.scratchFolder().path
        let result = try ListenProcess.run(["train", "--real", corpus, "--convolution", "4,6", "--mel-bands", "24", "--hidden-size", "8",
                                            "--layers", "1", "--epochs", "1", "--checkpoints", work + "/run", "--output", work + "/conv.lstn"])
        #expect(result.status == 0, "\(result.standardError)")
        let header = try Data(contentsOf: URL(fileURLWithPath: work + "/conv.lstn")).prefix(4_096)
        let convolutions = #""convolutions":[{"bandStride":2,"channels":4,"inputBands":24,"inputChannels":1,"kernelBands":5,"kernelFrames":3},"#
            + #"{"bandStride":2,"channels":6,"inputBands":12,"inputChannels":4,"kernelBands":5,"kernelFrames":3}]"#
        #expect(header.range(of: Data(convolutions.utf8)) != nil)
        #expect(header.range(of: Data(#"{"dtype":"f32","name":"conv2.weight","shape":[6,4,3,5]}"#.utf8)) != nil)
        #expect(header.range(of: Data(#"{"dtype":"f32","name":"gru.weight_ih_l0","shape":[24,36]}"#.utf8)) != nil,
                "the first GRU layer reads 6 channels × 6 bands")
        let eval = try ListenProcess.run(["eval", corpus, "--model", work + "/conv.lstn", "--summary", work + "/eval.json"])
        #expect(eval.status == 0 && eval.output.contains("accuracy:"), "\(eval.standardError)")
    }

    @Test("eval reports an unreadable clip by name, scores the rest and exits 1")
    func evalBadFile() throws {
        let corpus = try Fixtures.smallCorpus()
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: corpus + "/left/broken.wav"))
        let summaryPath = try Fixtures.scratchFolder().path + "/eval.json"
        let eval = try ListenProcess.run(["eval", corpus, "--summary", summaryPath])
        #expect(eval.status == 1)
        #expect(eval.standardError.contains("left/broken.wav: not a WAV/FLAC/OGG/MP3 file"))
        let summary = try Self.json(summaryPath)
        #expect(summary["failed"] as? Int == 1 && summary["command_clips"] as? Int == 12)
    }

    @Test("A --monitor or eval path that is not there is one line naming it and the reason, exit 1, before any training")
    func missingPaths() throws {
        let corpus = try Fixtures.smallCorpus()
        let work = try Fixtures.scratchFolder().path
        let train = try ListenProcess.run(["train", "--real", corpus, "--monitor", work + "/nowhere", "--checkpoints", work + "/run"])
        #expect(train.status == 1)
        #expect(train.standardError.contains("listen: cannot read \(work)/nowhere: No such file or directory"), "\(train.standardError)")
        #expect(!FileManager.default.fileExists(atPath: work + "/run"))
        let eval = try ListenProcess.run(["eval", work + "/nowhere.tsv", "--summary", work + "/eval.json"])
        #expect(eval.status == 1 && eval.standardError == "listen: cannot read \(work)/nowhere.tsv: No such file or directory\n",
                "\(eval.standardError)")
    }

    @Test("eval's per-word column is as wide as the longest phrase, so a long label never runs into its count")
    func evalLongPhraseColumn() throws {
        let folder = try Fixtures.scratchFolder().path
        let clip = Fixtures.path("data/one-speaker-train/left")
        let name = try FileManager.default.contentsOfDirectory(atPath: clip).filter { $0.hasSuffix(".wav") }.sorted()[0]
        try "path\ttext\tsplit\n\(clip)/\(name)\tforward backward left\theldout\n\(clip)/\(name)\tleft\theldout\n"
            .write(toFile: folder + "/manifest.tsv", atomically: true, encoding: .utf8)
        let eval = try ListenProcess.run(["eval", folder + "/manifest.tsv", "--summary", folder + "/eval.json"])
        #expect(eval.status == 0, "\(eval.standardError)")
        let rows = eval.output.split(separator: "\n").filter { $0.hasPrefix("  forward backward left") || $0.hasPrefix("  left ") }
        #expect(rows.count == 2)
        let countColumns = rows.map { $0.distance(from: $0.startIndex, to: $0.firstIndex(of: "/")!) }
        #expect(Set(countColumns).count == 1 && rows[0].contains("left  "), "the counts line up after the widest label: \(rows)")
    }

    @Test("--summary - puts only the JSON on standard output and the report on standard error; without --summary no file is written")
    func summaryToStandardOutput() throws {
        let eval = try ListenProcess.run(["eval", try Fixtures.smallCorpus(), "--summary", "-"])
        #expect(eval.status == 0)
        let summary = try JSONSerialization.jsonObject(with: Data(eval.output.utf8)) as? [String: Any]
        #expect(summary?["command_clips"] as? Int == 12)
        #expect(eval.standardError.contains("accuracy: ") && eval.standardError.contains("per word:"))
        let plain = try ListenProcess.run(["eval", try Fixtures.smallCorpus()])
        #expect(plain.status == 0 && plain.output.contains("per word:"))
        #expect(!plain.standardError.contains("wrote"), "without --summary no file is written: \(plain.standardError)")
    }

    @Test("Out-of-range training options are usage errors", arguments: [["--warp", "0.6"],
                                                                        ["--stretch", "-0.1"], ["--average-decay", "1"],
                                                                        ["--time-reduction", "0"], ["--frequency-mask", "30"],
                                                                        ["--balance=-1"], ["--normalization", "none"], ["--mel-bands", "8"],
                                                                        ["--edge-padding", "2"], ["--convolution", "65"],
                                                                        ["--convolution", "16,0"], ["--convolution", "8,8,8,8,8"],
                                                                        ["--final-learning-rate", "0.01"], ["--weight-decay", "2"],
                                                                        ["--noise-mix", "1.5"], ["--noise-snr", "30,5"], ["--noise-snr", "10"],
                                                                        ["--speed-share", "1.5"], ["--speed-change", "0.5"],
                                                                        ["--time-mask", "600"], ["--real-weight=-1"],
                                                                        ["--dev-limit=-1"], ["--jobs", "0"]])
    func badOptions(option: [String]) throws {
        let result = try ListenProcess.run(["train", "--real", "/nonexistent", "--checkpoints", "/tmp/unused"] + option)
        #expect(result.status == 2)
        #expect(result.standardError.contains(option[0].prefix { $0 != "=" }))
    }

    @Test("Options of augmentations and front ends that never shipped are gone", arguments: ["--dropout", "--confidence-penalty",
          "--consistency", "--loudness-contour", "--tilt-contour", "--warp-tilt", "--narrowband", "--dynamic-range",
          "--energy-normalization", "--stack-frames"])
    func retiredOptions(option: String) throws {
        let result = try ListenProcess.run(["train", "--real", "/nonexistent", "--checkpoints", "/tmp/unused", option, "1"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("Unknown option '\(option)'"), "\(result.standardError)")
    }

    @Test("--noise-mix without clips to mix is refused by name, exit 1")
    func noiseMixWithoutNoise() throws {
        let corpus = try Fixtures.smallCorpus()
        try FileManager.default.removeItem(atPath: corpus + "/none")
        let work = try Fixtures.scratchFolder().path
        let refused = try ListenProcess.run(["train", "--real", corpus, "--hidden-size", "8", "--layers", "1", "--epochs", "1",
                                             "--noise-mix", "0.5", "--checkpoints", work + "/run", "--output", work + "/m.lstn"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("--noise-mix needs clips without words"))
    }

    @Test("A checkpoint of another front end or network is not resumed with this command's features")
    func mismatchedCheckpoint() throws {
        let corpus = try Fixtures.smallCorpus()
        let run = try Fixtures.scratchFolder().path + "/run"
        let common = ["train", "--real", corpus, "--hidden-size", "8", "--layers", "1", "--epochs", "2",
                      "--checkpoints", run, "--output", run + "/m.lstn"]
        let first = try ListenProcess.run(common + ["--epochs", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        for other in [["--normalization", "utterance-pooled"], ["--mel-bands", "32"], ["--edge-padding", "0.1"], ["--hidden-size", "16"]] {
            let result = try ListenProcess.run(common + other)
            #expect(result.status == 1, "\(other)")
            #expect(result.standardError.contains("cannot resume from \(run): its model has other features or layers"), "\(other)")
        }
        let same = try ListenProcess.run(common)
        #expect(same.status == 0, "\(same.standardError)")
        #expect(same.standardError.contains("resuming \(run) after epoch 1"))
    }

    @Test("A damaged checkpoint is reported, not silently restarted")
    func damagedCheckpoint() throws {
        let corpus = try Fixtures.smallCorpus()
        let run = try Fixtures.scratchFolder().path + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: run + "/state.json"))
        let result = try ListenProcess.run(["train", "--real", corpus, "--hidden-size", "8", "--layers", "1", "--epochs", "1",
                                            "--checkpoints", run, "--output", run + "/m.lstn"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot resume from \(run)"))
    }
}
