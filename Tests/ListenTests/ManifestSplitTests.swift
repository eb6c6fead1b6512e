import Foundation
import TestSupport
import Testing

/// `listen eval` and `listen train` on real-speech manifests: the split options, per-source reports.
@Suite("Real-speech manifests on the command line")
struct ManifestSplitTests {
    @Test("listen eval of a manifest measures its held-out speakers and reports per source")
    func evalPerSource() throws {
        let path = try Fixtures.realSpeechManifest()
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
        let path = try Fixtures.realSpeechManifest()
        let command = options.first == "--heldout-speakers" ? ["eval", path] : ["train", "--data", path, "--checkpoints", "/tmp/never"]
        let result = try ListenProcess.run(command + options)
        #expect(result.status == 2, "\(result.standardError)")
    }
}
