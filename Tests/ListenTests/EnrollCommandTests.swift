import Foundation
import TestSupport
import Testing

/// `listen enroll` and `listen calibrate` as users and scripts run them, each test with its own
/// `XDG_DATA_HOME` so that no personal model leaks into other tests.
@Suite("listen enroll and listen calibrate")
struct EnrollCommandTests {
    /// A take of `text` by espeak-ng at `speed` words per minute and `pitch`, 16 kHz mono, in `folder`/`word`/.
    static func synthesize(_ text: String, speed: Int, pitch: Int = 50, into folder: String, name: String? = nil) throws -> String {
        let wordFolder = folder + "/" + text.replacingOccurrences(of: " ", with: "_")
        try FileManager.default.createDirectory(atPath: wordFolder, withIntermediateDirectories: true)
        let raw = wordFolder + "/raw-\(speed)-\(pitch).wav", path = wordFolder + "/" + (name ?? "\(speed)-\(pitch).wav")
        try run("/usr/bin/espeak-ng", ["-v", "en-us", "-s", "\(speed)", "-p", "\(pitch)", "-w", raw, text])
        try run("/usr/bin/sox", [raw, "-r", "16000", "-c", "1", path, "pad", "0.2", "0.2"])
        try FileManager.default.removeItem(atPath: raw)
        return path
    }

    static func run(_ program: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(program) \(arguments)")
    }

    /// Three takes of "jarvis" and one of "yes" (the committed example) in the Speech Commands layout.
    static func takesFolder() throws -> String {
        let folder = try Fixtures.scratchFolder().path + "/takes"
        for (speed, pitch) in [(130, 40), (160, 50), (190, 60)] { _ = try synthesize("jarvis", speed: speed, pitch: pitch, into: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/yes", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.packageRoot.path + "/Examples/yes.wav", toPath: folder + "/yes/yes.wav")
        return folder
    }

    @Test("enroll --from a folder writes a personal model that hears the new word by default, until --reset")
    func enrollFromFolder() throws {
        let data = try Fixtures.scratchFolder().path
        let environment = ["XDG_DATA_HOME": data]
        let folder = try Self.takesFolder()
        // Few passes: the tests run a debug build, where an update takes a second.
        let result = try ListenProcess.run(["enroll", "--from", folder, "--passes", "3"], environment: environment)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("listen: enrolling 2 words from 4 takes"), "\(result.standardError)")
        #expect(result.standardError.contains("wrote \(data)/listen/model.lstn") && result.standardError.contains("new words: jarvis"))
        #expect(FileManager.default.fileExists(atPath: data + "/listen/model.lstn"))

        // A take it was not enrolled on, in its default vocabulary now: heard without --model or --vocabulary.
        let other = try Self.synthesize("jarvis", speed: 150, pitch: 45, into: try Fixtures.scratchFolder().path)
        let heard = try ListenProcess.run(["transcribe", other, "--format", "jsonl"], environment: environment)
        #expect(heard.status == 0)
        #expect(heard.standardError.contains("listen: using your personal model \(data)/listen/model.lstn"))
        #expect(heard.output.contains("\"text\":\"jarvis\""), "\(heard.output)")

        let shown = try ListenProcess.run(["model"], environment: environment)
        #expect(shown.status == 0)
        #expect(shown.output.contains("\npersonal: enrolled ") && shown.output.contains("\ntakes: jarvis 3, yes 1\n"), "\(shown.output)")
        #expect(shown.output.contains("vocabulary (36): yes, no,") && shown.output.contains(", visual, jarvis\n"))

        let reset = try ListenProcess.run(["enroll", "--reset"], environment: environment)
        #expect(reset.status == 0)
        #expect(reset.standardError.contains("removed \(data)/listen/model.lstn"))
        #expect(!FileManager.default.fileExists(atPath: data + "/listen/model.lstn"))
        let builtIn = try ListenProcess.run(["transcribe", other], environment: environment)
        #expect(!builtIn.standardError.contains("personal model"))
    }

    @Test("A damaged take is skipped with one line and exit 1, and the model is still written; bad arguments are usage errors")
    func badInput() throws {
        let folder = try Self.takesFolder()
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: folder + "/yes/broken.wav"))
        let output = try Fixtures.scratchFolder().path + "/mine.lstn"
        let result = try ListenProcess.run(["enroll", "--from", folder, "--output", output, "--passes", "1"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("listen: skipping \(folder)/yes/broken.wav: "), "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: output))

        let missing = try ListenProcess.run(["enroll", "--from", folder + "/nothing", "--output", output])
        #expect(missing.status == 1)
        #expect(missing.standardError == "listen: \(folder)/nothing: no such folder\n")

        let unspellable = try ListenProcess.run(["enroll", "--from", folder, "--output", output, "--words", "yes,caf\u{e9}!"])
        #expect(unspellable.status == 2)
        #expect(unspellable.standardError.hasPrefix("listen: --words: "))

        let noFolder = try ListenProcess.run(["enroll", "--from", folder, "--output", "/nonexistent/mine.lstn"])
        #expect(noFolder.status == 2)
        #expect(noFolder.standardError.contains("no folder /nonexistent"))
    }

    @Test("calibrate raises a word's threshold above what the room sets off, and the model then rejects it")
    func calibrateFromRoom() throws {
        let folder = try Fixtures.scratchFolder().path
        // A "room" in which someone keeps saying yes: at 1 false accept per hour allowed in 20 s, yes must go.
        let room = folder + "/room.wav"
        let yes = Fixtures.packageRoot.path + "/Examples/yes.wav"
        try Self.run("/usr/bin/sox", [yes, yes, yes, yes, room, "pad", "0", "1", "repeat", "3"])
        let before = try ListenProcess.run(["transcribe", yes, "--format", "jsonl"])
        #expect(before.output.contains("\"text\":\"yes\""))

        let calibrated = folder + "/calibrated.lstn"
        let result = try ListenProcess.run(["calibrate", "--from", room, "--output", calibrated], environment: ["XDG_DATA_HOME": folder])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("word") == true && lines.count == 36, "\(result.output)")
        let yesLine = lines.first { $0.hasPrefix("yes ") }.map { $0.split(separator: " ") } ?? []
        #expect(yesLine.count >= 4 && Double(yesLine[1]).map { $0 > 0.25 } == true, "\(result.output)")

        let after = try ListenProcess.run(["transcribe", yes, "--format", "jsonl", "--model", calibrated])
        #expect(after.status == 0)
        #expect(!after.output.contains("\"text\":\"yes\""), "\(after.output)")
        let other = try ListenProcess.run(["transcribe", Fixtures.packageRoot.path + "/Examples/stop.wav", "--format", "jsonl", "--model", calibrated])
        #expect(other.output.contains("\"text\":\"stop\""), "\(other.output)")
    }
}

@Suite("listen enroll from the microphone, against a real PulseAudio daemon", .serialized,
       .enabled(if: PulseServer.isAvailable, "needs pulseaudio and paplay (scripts/install-system-packages)"))
struct EnrollMicTests {
    @Test("Prompts for each take, refuses a clipped one saying why, saves the takes and writes the personal model")
    func enrollFromMicrophone() throws {
        let server = try PulseServer()
        let data = server.environment["HOME"]! + "/data"
        var environment = server.environment
        environment["XDG_DATA_HOME"] = data
        let yes = try MicCommandTests.padded("yes"), stop = try MicCommandTests.padded("stop")
        let clipped = try Fixtures.scratchFolder().path + "/stop-clipped.wav"
        try EnrollCommandTests.run("/usr/bin/sox", [stop, clipped, "gain", "30"])
        let listen = try RunningListen(["enroll", "--device", "virt.monitor", "--words", "yes,stop", "--takes", "1", "--passes", "2"], environment: environment)
        #expect(listen.waitForStandardError("listen: say 'yes' (take 1 of 1, word 1 of 2)\n"))
        try server.play(yes)
        #expect(listen.waitForStandardError("listen: say 'stop' (take 1 of 1, word 2 of 2)\n"))
        try server.play(clipped)
        #expect(listen.waitForStandardError("listen: take refused, it clipped"))
        try server.play(stop)
        let result = listen.wait(timeout: 120)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("listen: got 'yes'") && result.standardError.contains("listen: got 'stop'"))
        for path in ["/listen/model.lstn", "/listen/takes/yes/take-1.wav", "/listen/takes/stop/take-1.wav"] {
            #expect(FileManager.default.fileExists(atPath: data + path), "\(path)")
        }
    }
}
