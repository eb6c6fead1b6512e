import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Hook runner", .serialized)
struct HookRunnerTests {
    static func transcript(_ words: [(String, Double)], confidence: Double = 0.9) -> Transcript {
        Transcript(words: words.map { RecognizedWord(word: $0.0, start: $0.1, end: $0.1 + 0.3, confidence: confidence) }, duration: 2)
    }

    /// The JSON lines of a runner's events, gathered from whichever thread reports them.
    final class Lines: @unchecked Sendable {
        // Safe: `lines` is only touched under `lock`.
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ event: HookEvent) { lock.withLock { lines.append(event.jsonLine) } }
        var all: [String] { lock.withLock { lines } }
    }

    /// Runs transcripts through a HookRunner and returns its events, parsed from their JSON lines.
    static func events(_ hooks: [HookConfiguration.Hook], _ transcripts: [Transcript], dryRun: Bool = false) throws -> [[String: Any]] {
        let lines = Lines()
        let runner = HookRunner(configuration: HookConfiguration(maxConcurrent: 2, hooks: hooks), dryRun: dryRun, events: lines.append)
        for transcript in transcripts { runner.process(transcript, source: "test.wav") }
        runner.waitForActions()
        return try lines.all.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
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

    @Test("Over files, events and LISTEN_START are timed from the start of each file, LISTEN_FILE names it; cooldowns span the files")
    func fileClock() throws {
        let folder = try Fixtures.scratchFolder().path
        let script = "import os,sys; open(sys.argv[1],'a').write(os.environ['LISTEN_FILE']+' '+os.environ['LISTEN_START']+'\\n')"
        let hook = HookConfiguration.Hook(keyword: "go", threshold: 0.5, cooldown: 1, timeout: 5, action: ["/usr/bin/python3", "-c", script, folder + "/heard"])
        let lines = Lines()
        let runner = HookRunner(configuration: HookConfiguration(hooks: [hook]), events: lines.append)
        // Each file is 2 s long; on the batch clock the words are at 0.2, 2.5, 4.1, 6.0 and 6.4 s,
        // and the last is within the 1 s cooldown of the one before.
        runner.process(Self.transcript([("go", 0.2)]), source: "a.wav")
        runner.process(Self.transcript([("go", 0.5)]), source: "b.wav")
        runner.process(Self.transcript([("go", 0.1)]), source: "c.wav")
        runner.process(Self.transcript([("go", 0.0), ("go", 0.4)]), source: "d.wav")
        runner.waitForActions()
        let detections = try lines.all.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .filter { $0["event"] as? String == "detection" }
        #expect(detections.map { $0["file"] as? String } == ["a.wav", "b.wav", "c.wav", "d.wav"])
        #expect(detections.map { $0["start"] as? Double } == [0.2, 0.5, 0.1, 0.0])
        let heard = try String(contentsOfFile: folder + "/heard", encoding: .utf8).split(separator: "\n").sorted()
        #expect(heard == ["a.wav 0.200", "b.wav 0.500", "c.wav 0.100", "d.wav 0.000"])
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

    @Test("Mic-mode times are ISO 8601 in UTC with milliseconds, and now is now")
    func timestamps() throws {
        #expect(Timestamp.format(seconds: 0, milliseconds: 5) == "1970-01-01T00:00:00.005Z")
        #expect(Timestamp.format(seconds: 1_796_689_812, milliseconds: 345) == "2026-12-08T00:30:12.345Z")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = try #require(formatter.date(from: Timestamp.now()))
        #expect(abs(now.timeIntervalSinceNow) < 5)
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
