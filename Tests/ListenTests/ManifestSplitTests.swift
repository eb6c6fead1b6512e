import Foundation
@testable import listen
import TestSupport
import Testing

/// Real-speech manifests: the speaker split, exclusions and sources that `listen train` and
/// `listen eval` share.
@Suite("Real-speech manifests")
struct ManifestSplitTests {
    /// A manifest of the example clips with speaker and source columns: ivan (bucket 9) and
    /// trent (0) are held out at 10 %, alice (83) and bob (92) are not; one row has no speaker.
    static func manifest() throws -> String {
        let folder = try Fixtures.scratchFolder().path
        let examples = Fixtures.packageRoot.appendingPathComponent("Examples").path
        let rows = [("yes.wav", "yes", "ivan", "one"), ("no.wav", "no", "trent", "one"), ("stop.wav", "stop", "alice", "two"),
                    ("go.wav", "go", "bob", "two"), ("left.wav", "left", "", "two"), ("up.wav", "jarvis", "ivan", "two")]
        var text = "path\ttext\tspeaker\tsource\tlicence\tseconds\n"
        for (file, words, speaker, source) in rows { text += "\(examples)/\(file)\t\(words)\t\(speaker)\t\(source)\tCC0\t1.0\n" }
        try text.write(toFile: folder + "/manifest.tsv", atomically: true, encoding: .utf8)
        return folder + "/manifest.tsv"
    }

    @Test("Speakers fall in the same bucket on every machine (FNV-1a, mod 100)")
    func buckets() {
        #expect(LabelledData.speakerBucket("ivan") == 9)
        #expect(LabelledData.speakerBucket("alice") == 83)
        #expect(LabelledData.speakerBucket("doing_the_dishes.flac") == 75)
        #expect(LabelledData.speakerBucket("running_tap.flac") == 10)
    }

    @Test("10 % of speakers held out, rows without a speaker by file name, exclusions by text and by file name")
    func split() throws {
        let path = try Self.manifest()
        let (train, heldout) = try LabelledData.manifest(path)
        #expect(Set(heldout.map(\.path).map { ($0 as NSString).lastPathComponent }) == ["yes.wav", "no.wav", "up.wav"])
        #expect(Set(train.map(\.path).map { ($0 as NSString).lastPathComponent }) == ["stop.wav", "go.wav", "left.wav"])
        #expect(Set(heldout.map(\.source)) == ["one", "two"])
        let excluded = try LabelledData.manifest(path, split: .init(heldOutSpeakers: 10, excluded: ["jarvis", "left"]))
        #expect(excluded.heldout.count == 2 && excluded.train.count == 2)
        #expect(try LabelledData.manifest(path, split: .init(heldOutSpeakers: 0)).heldout.isEmpty)
    }

    @Test("listen eval of a manifest measures its held-out speakers and reports per source")
    func evalPerSource() throws {
        let path = try Self.manifest()
        let result = try ListenProcess.run(["eval", path, "--heldout-speakers", "100", "--exclude", "jarvis", "--summary", "-"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = result.standardError
        #expect(report.contains("(5 clips"))
        #expect(report.contains("per source"))
        let summary = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        let sources = summary?["per_source"] as? [String: [String: Any]]
        let one = sources?["one"]?["command_clips"] as? Int, two = sources?["two"]?["command_clips"] as? Int
        #expect(one == 2 && two == 3)
    }

    @Test("Bad split options are usage errors", arguments: [["--heldout-speakers", "101"], ["--source-weight", "speech=-1"],
                                                             ["--source-weight", "=2"], ["--source-weight", "a=1", "--source-weight", "a=2"]])
    func badOptions(options: [String]) throws {
        let path = try Self.manifest()
        let command = options.first == "--heldout-speakers" ? ["eval", path] : ["train", "--data", path, "--checkpoints", "/tmp/never"]
        let result = try ListenProcess.run(command + options)
        #expect(result.status == 2, "\(result.standardError)")
    }
}
