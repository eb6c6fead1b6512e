import Foundation
@testable import listen
import Recognizer
import TestSupport
import Testing

@Suite("Keyword hooks", .serialized)
struct HookTests {
    static func transcript(_ words: [(String, Double)], confidence: Double = 0.9) -> Transcript {
        Transcript(words: words.map { RecognizedWord(word: $0.0, start: $0.1, end: $0.1 + 0.3, confidence: confidence) }, duration: 2)
    }

    /// Runs one detection through a HookRunner and returns the events it wrote.
    static func events(_ hooks: [HookConfiguration.Hook], _ transcripts: [Transcript], dryRun: Bool = false) throws -> [[String: Any]] {
        let folder = try Fixtures.scratchFolder().path
        _ = FileManager.default.createFile(atPath: folder + "/events", contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/events"))
        let runner = HookRunner(configuration: HookConfiguration(maxConcurrent: 2, hooks: hooks), events: LineWriter(handle: handle), dryRun: dryRun)
        for transcript in transcripts { runner.process(transcript, source: "test.wav") }
        runner.waitForActions()
        try handle.close()
        return try String(contentsOfFile: folder + "/events", encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test("The action gets exactly the recognised text in LISTEN_* variables; shell syntax in it is never run")
    func environmentOnly() throws {
        let folder = try Fixtures.scratchFolder().path
        let hostile = "go; $(touch \(folder)/pwned) `touch \(folder)/pwned2` \\ \" ' | rm -rf /nonexistent"
        let transcript = Transcript(words: [RecognizedWord(word: "go", start: 0.5, end: 0.8, confidence: 0.93)], duration: 1)
        var withText = transcript
        withText.text = hostile
        let dump = folder + "/env"
        let writer = HookConfiguration.Hook(keyword: "go", threshold: 0.5, cooldown: 1, timeout: 5,
                                            action: ["/usr/bin/python3", "-c",
                                                     "import os,sys; open(sys.argv[1],'w').write(os.environ['LISTEN_TEXT']+'\\n'+os.environ['LISTEN_WORD']+'\\n'+os.environ['LISTEN_CONFIDENCE']+'\\n'+os.environ['LISTEN_START']+'\\n'+os.environ['LISTEN_END'])",
                                                     dump])
        let events = try Self.events([writer], [withText])
        #expect(events.map { $0["event"] as? String } == ["detection", "action_started", "action_finished"])
        #expect(events.last?["status"] as? Int == 0)
        let lines = try String(contentsOfFile: dump, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first.map(String.init) == hostile)
        #expect(Array(lines.dropFirst()) == ["go", "0.9300", "0.500", "0.800"])
        #expect(!FileManager.default.fileExists(atPath: folder + "/pwned") && !FileManager.default.fileExists(atPath: folder + "/pwned2"))
    }

    @Test("A cooldown suppresses repeats within it, not after it")
    func cooldown() {
        let spotter = KeywordSpotter()
        let count = Counter()
        spotter.on("stop", threshold: 0.5, cooldown: 1.5) { _ in count.add() }
        spotter.process(Self.transcript([("stop", 0.2), ("stop", 1.0)]), offset: 0)
        #expect(count.value == 1)
        spotter.process(Self.transcript([("stop", 0.0)]), offset: 1.0)   // 1.0 s after the first: suppressed
        #expect(count.value == 1)
        spotter.process(Self.transcript([("stop", 0.0)]), offset: 2.0)   // 1.8 s after: fires
        #expect(count.value == 2)
        spotter.process(Self.transcript([("stop", 0.0)], confidence: 0.3), offset: 9)   // below threshold
        #expect(count.value == 2)
    }

    @Test("A phrase matches one entry or consecutive words")
    func phrases() {
        let spotter = KeywordSpotter()
        let count = Counter()
        spotter.on("go left", cooldown: 0) { _ in count.add() }
        spotter.process(Self.transcript([("go left", 0.1)]))
        spotter.process(Self.transcript([("go", 0.1), ("left", 0.5)]))
        spotter.process(Self.transcript([("go", 0.1), ("right", 0.5)]))
        #expect(count.value == 2)
    }

    @Test("A hung action is killed at its timeout and reported")
    func timeout() throws {
        let started = Date()
        let hook = HookConfiguration.Hook(keyword: "yes", threshold: 0, cooldown: 0, timeout: 0.5, action: ["/bin/sleep", "30"])
        let events = try Self.events([hook], [Self.transcript([("yes", 0.1)])])
        #expect(events.map { $0["event"] as? String } == ["detection", "action_started", "action_timeout"])
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("--dry-run reports the argv without running it; a missing program is an action_failed event")
    func dryRunAndMissingProgram() throws {
        let folder = try Fixtures.scratchFolder().path
        let hook = HookConfiguration.Hook(keyword: "yes", threshold: 0, cooldown: 0, timeout: 5, action: ["/usr/bin/touch", folder + "/ran"])
        let dry = try Self.events([hook], [Self.transcript([("yes", 0.1)])], dryRun: true)
        #expect(dry.map { $0["event"] as? String } == ["detection", "dry_run"])
        #expect((dry[1]["action"] as? [String]) == ["/usr/bin/touch", folder + "/ran"])
        #expect(!FileManager.default.fileExists(atPath: folder + "/ran"))
        let missing = HookConfiguration.Hook(keyword: "yes", threshold: 0, cooldown: 0, timeout: 5, action: [folder + "/no-such-program"])
        let failed = try Self.events([missing], [Self.transcript([("yes", 0.1)])])
        #expect(failed.map { $0["event"] as? String } == ["detection", "action_failed"])
    }

    @Test("A bad hooks file is a usage error naming the file")
    func badHooksFile() throws {
        let folder = try Fixtures.scratchFolder().path
        try Data("{\"hooks\": [{\"keyword\": \"yes\", \"action\": []}]}".utf8).write(to: URL(fileURLWithPath: folder + "/hooks.json"))
        let result = try ListenProcess.run(["transcribe", "--hooks", folder + "/hooks.json", Fixtures.packageRoot.path + "/Examples/yes.wav"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("hooks.json: hook 1 has an empty action"))
    }
}

/// A thread-safe counter for handler calls.
final class Counter: @unchecked Sendable {
    // Safe: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

@Suite("Hooks over files (end to end)")
struct FileHookTests {
    @Test("transcribe --keyword runs the action with the recognised text; --dry-run only reports it")
    func quickForm() throws {
        let folder = try Fixtures.scratchFolder().path
        let clip = Fixtures.packageRoot.path + "/Examples/stop.wav"
        let script = "import os,sys; open(sys.argv[1],'w').write(os.environ['LISTEN_TEXT'] + '|' + os.environ['LISTEN_WORD'])"
        let result = try ListenProcess.run(["transcribe", "--format", "jsonl", clip, "--keyword", "stop", "--threshold", "0",
                                            "--exec", "/usr/bin/python3", "-c", script, folder + "/heard"])
        #expect(result.status == 0, "\(result.standardError)")
        let events = result.output.split(separator: "\n").compactMap { line -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["event"] as? String
        }
        #expect(events == ["detection", "action_started", "action_finished"], "\(result.output)")
        #expect(try String(contentsOfFile: folder + "/heard", encoding: .utf8) == "stop|stop")
        let dry = try ListenProcess.run(["transcribe", clip, "--keyword", "stop", "--threshold", "0", "--dry-run",
                                         "--exec", "/usr/bin/touch", folder + "/touched"])
        #expect(dry.status == 0 && dry.output.contains("\"event\":\"dry_run\""))
        #expect(!FileManager.default.fileExists(atPath: folder + "/touched"))
    }
}
