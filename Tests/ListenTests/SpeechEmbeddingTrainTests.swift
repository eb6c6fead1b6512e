import Foundation
import TestSupport
import Testing

/// `listen train --speech-embedding` end to end: the model file carries the network, and
/// transcribe and eval hear with it.
@Suite("listen train --speech-embedding (end to end)",
       .enabled(if: Fixtures.speechEmbeddingFolder != nil && Fixtures.has("data/one-speaker-train"),
                "needs pyopen-wakeword and tflite (./scripts/install-python-packages) and ../shared/data/one-speaker-train"))
struct SpeechEmbeddingTrainTests {
    @Test("A small speech-embedding model trains, resumes, and transcribes and evaluates files")
    func trainAndUse() throws {
        let corpus = try Fixtures.smallCorpus()
        let work = try Fixtures.scratchFolder().path
        let common = ["train", "--real", corpus, "--speech-embedding", Fixtures.speechEmbeddingFolder!, "--hidden-size", "8",
                      "--layers", "1", "--batch-size", "4", "--noise-mix", "0.5", "--stretch", "0.1",
                      "--normalization", "utterance-pooled", "--checkpoints", work + "/run", "--output", work + "/small.lstn"]
        let first = try ListenProcess.run(common + ["--epochs", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        let resumed = try ListenProcess.run(common + ["--epochs", "2"])
        #expect(resumed.status == 0 && resumed.standardError.contains("resuming"), "\(resumed.standardError)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: work + "/small.lstn"))
        #expect(bytes[8] == 5)  // format version 5: a speech embedding inside
        let heard = try ListenProcess.run(["transcribe", Fixtures.packageRoot.appendingPathComponent("Examples").path,
                                           "--model", work + "/small.lstn", "--format", "jsonl"])
        #expect(heard.status == 0, "\(heard.standardError)")
        #expect(heard.output.split(separator: "\n").count == 9)
        let eval = try ListenProcess.run(["eval", corpus, "--model", work + "/small.lstn", "--summary", work + "/eval.json"])
        #expect(eval.status == 0, "\(eval.standardError)")
    }

    @Test("Options that need mel bands are refused with --speech-embedding",
          arguments: [["--convolution", "16"], ["--warp", "0.1"], ["--time-reduction", "2"], ["--embedding-step", "5"]])
    func refused(options: [String]) throws {
        let result = try ListenProcess.run(["train", "--real", "/nonexistent", "--speech-embedding", "/nonexistent",
                                            "--checkpoints", "/tmp/never"] + options)
        #expect(result.status == 2, "\(result.standardError)")
    }
}
