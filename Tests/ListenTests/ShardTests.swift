import Foundation
import TestSupport
import Testing

@Suite("listen transcribe --shard")
struct ShardTests {
    /// Three example clips, a damaged file and a missing one: bad inputs are shards' records too (7 shards of 5 inputs leave two empty).
    static func inputs() throws -> [String] {
        let folder = try Fixtures.scratchFolder().path
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: folder + "/broken.wav"))
        let examples = Fixtures.packageRoot.path + "/Examples"
        return [examples + "/go_left.wav", folder + "/broken.wav", examples + "/up.wav", folder + "/missing.wav", examples + "/yes.wav"]
    }

    @Test("N shards' outputs, concatenated in order, are one run's output record for record (jsonl; csv after dropping the repeated headers)")
    func shardsMakeTheWhole() throws {
        let inputs = try Self.inputs()
        for (format, counts) in [("jsonl", [2, 7]), ("csv", [3])] {
            let whole = try ListenProcess.run(["transcribe"] + inputs + ["--format", format])
            #expect(whole.status == 1)
            for count in counts {
                var joined: [Substring] = []
                for index in 0..<count {
                    let part = try ListenProcess.run(["transcribe"] + inputs + ["--format", format, "--shard", "\(index)/\(count)"])
                    var lines = part.output.split(separator: "\n")
                    if format == "csv" && !joined.isEmpty { lines = Array(lines.dropFirst()) }
                    joined += lines
                }
                #expect(joined == whole.output.split(separator: "\n"), "\(format), \(count) shards")
            }
        }
    }

    @Test("auto reads Slurm's array variables or Kubernetes' completion index; a shard that does not exist is a usage error")
    func automatic() throws {
        let inputs = try Self.inputs()
        let explicit = try ListenProcess.run(["transcribe"] + inputs + ["--format", "jsonl", "--shard", "1/3"])
        let slurm = try ListenProcess.run(["transcribe"] + inputs + ["--format", "jsonl", "--shard", "auto"],
                                          environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        let kubernetes = try ListenProcess.run(["transcribe"] + inputs + ["--format", "jsonl", "--shard", "auto/3"],
                                               environment: ["JOB_COMPLETION_INDEX": "1"])
        #expect(!explicit.output.isEmpty && slurm.output == explicit.output && kubernetes.output == explicit.output)
        let missing = try ListenProcess.run(["transcribe"] + inputs + ["--shard", "3/3"])
        #expect(missing.status == 2)
        #expect(missing.standardError.hasPrefix("Error: --shard: shard 3 of 3 does not exist"))
        let unknownCount = try ListenProcess.run(["transcribe"] + inputs + ["--shard", "auto"], environment: ["JOB_COMPLETION_INDEX": "0"])
        #expect(unknownCount.status == 2)
    }
}
