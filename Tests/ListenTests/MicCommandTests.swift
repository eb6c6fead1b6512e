import Foundation
import TestSupport
import Testing

@Suite("listen mic and listen devices against a real PulseAudio daemon", .serialized,
       .enabled(if: PulseServer.isAvailable, "needs pulseaudio and paplay (scripts/install-system-packages)"))
struct MicCommandTests {
    /// Example clips (espeak-ng, committed), each padded with silence so the idle sink loses nothing.
    static func padded(_ word: String) throws -> String {
        let folder = try Fixtures.scratchFolder().path
        let output = "\(folder)/\(word).wav"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        process.arguments = [Fixtures.packageRoot.path + "/Examples/\(word).wav", output, "pad", "0.3", "0.6"]
        try process.run()
        process.waitUntilExit()
        return output
    }

    static func words(_ output: String) throws -> [String] {
        try output.split(separator: "\n").compactMap { line in
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(record["time"] is String && record["file"] == nil)
            let text = record["text"] as! String
            return text.isEmpty ? nil : text
        }
    }

    @Test("devices lists the null sink's monitor with its rate and channels")
    func devices() throws {
        let server = try PulseServer()
        let result = try ListenProcess.run(["devices", "--json"], environment: server.environment)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.output.contains("\"name\":\"virt.monitor\"") && result.output.contains("\"rate\":16000")
                && result.output.contains("\"channels\":1"))
    }

    @Test("mic's CSV has the columns of transcribe's: the file empty, the time filled")
    func csvColumns() throws {
        let server = try PulseServer()
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--format", "csv"], environment: server.environment)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try server.play(try Self.padded("yes"))
        #expect(listen.waitForStandardOutput(",yes,"))
        let lines = listen.stop(signal: SIGTERM).output.split(separator: "\n")
        let batch = try ListenProcess.run(["transcribe", Fixtures.packageRoot.path + "/Examples/yes.wav", "--format", "csv"])
        #expect(lines.first == batch.output.split(separator: "\n").first)
        #expect(lines.count == 2 && lines[1].hasPrefix(",20") && lines[1].contains(",yes,"), "\(lines)")
    }

    @Test("A source the server does not have: exit 1 with the sources there are, no retrying")
    func noSuchDevice() throws {
        let server = try PulseServer()
        let result = try ListenProcess.run(["mic", "--device", "nosuch"], environment: server.environment)
        #expect(result.status == 1)
        #expect(result.standardError.hasSuffix("listen: there is no PulseAudio source 'nosuch'; the sources are: virt.monitor\n"), "\(result.standardError)")
        #expect(!result.standardError.contains("retrying"))
    }

    @Test("devices without a server fails with one clear line")
    func devicesWithoutServer() throws {
        let folder = try Fixtures.scratchFolder().path
        let result = try ListenProcess.run(["devices"], environment: ["PULSE_SERVER": "unix:\(folder)/nothing", "HOME": folder])
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot connect to the PulseAudio server"))
    }

    @Test("Words played into the sink come out as JSONL in order; a daemon restart is survived")
    func wordsInOrderAcrossRestart() throws {
        let server = try PulseServer()
        let clips = try ["yes", "stop", "left", "seven"].map(Self.padded)
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--format", "jsonl"], environment: server.environment)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try server.play(clips[0])
        try server.play(clips[1])
        Thread.sleep(forTimeInterval: 0.5)
        server.stop()
        Thread.sleep(forTimeInterval: 1)
        try server.start()
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n", count: 2))
        try server.play(clips[2])
        try server.play(clips[3])
        Thread.sleep(forTimeInterval: 0.5)
        let result = listen.stop(signal: SIGTERM)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try Self.words(result.output) == ["yes", "stop", "left", "seven"], "\(result.output)\n\(result.standardError)")
        #expect(result.standardError.contains("retrying in"))
    }

    @Test("Ctrl-C during a word still decodes it")
    func interruptFlushes() throws {
        let server = try PulseServer()
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--format", "jsonl", "--endpoint-silence", "2"],
                                       environment: server.environment)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try server.play(try Self.padded("stop"))
        let result = listen.stop(signal: SIGINT)
        #expect(result.status == 0)
        #expect(try Self.words(result.output) == ["stop"], "\(result.output)\n\(result.standardError)")
    }
}

/// The servers that stall, apart from the suite above so that the two chains of tests (each
/// with daemons of its own) run side by side.
@Suite("listen mic against a PulseAudio daemon that stalls", .serialized,
       .enabled(if: PulseServer.isAvailable, "needs pulseaudio and paplay (scripts/install-system-packages)"))
struct MicStallTests {
    @Test("Reads that stall (a frozen server) are given up after 3 s and recording starts again")
    func stalledReadsReconnect() throws {
        let server = try PulseServer()
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--format", "jsonl"], environment: server.environment)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try server.freeze(seconds: 4)
        Thread.sleep(forTimeInterval: 2)
        try server.play(try MicCommandTests.padded("left"))
        Thread.sleep(forTimeInterval: 0.5)
        let result = listen.stop(signal: SIGTERM)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("stalled for 3 s; retrying in"), "\(result.standardError)")
        #expect(try MicCommandTests.words(result.output) == ["left"], "\(result.output)\n\(result.standardError)")
    }

    @Test("A server that does not answer while connecting is given up after 3 s and tried again")
    func silentServerWhileConnecting() throws {
        let server = try PulseServer()
        try server.signal(SIGSTOP)
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--format", "jsonl"], environment: server.environment)
        let givenUp = "cannot record from virt.monitor: the server did not answer within 3 s; retrying in"
        #expect(listen.waitForStandardError(givenUp))
        try server.signal(SIGCONT)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try server.play(try MicCommandTests.padded("left"))
        Thread.sleep(forTimeInterval: 0.5)
        let result = listen.stop(signal: SIGTERM)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains(givenUp), "\(result.standardError)")
        #expect(try MicCommandTests.words(result.output) == ["left"], "\(result.output)\n\(result.standardError)")
    }

    @Test("Without --hooks or --keyword, mic runs the hooks in ~/.config/listen/hooks.json")
    func userHooksFile() throws {
        let server = try PulseServer()
        let home = server.environment["HOME"]!
        try FileManager.default.createDirectory(atPath: home + "/.config/listen", withIntermediateDirectories: true)
        let marker = home + "/heard"
        let hooks = "{\"hooks\": [{\"keyword\": \"stop\", \"action\": [\"/usr/bin/touch\", \"\(marker)\"]}]}"
        try Data(hooks.utf8).write(to: URL(fileURLWithPath: home + "/.config/listen/hooks.json"))
        let listen = try RunningListen(["mic", "--device", "virt.monitor", "--format", "jsonl"], environment: server.environment)
        #expect(listen.waitForStandardError("listen: recording from virt.monitor\n"))
        try server.play(try MicCommandTests.padded("stop"))
        #expect(listen.waitForStandardOutput("\"event\":\"action_finished\""))
        let result = listen.stop(signal: SIGTERM)
        #expect(result.standardError.contains("listen: using the hooks in \(home)/.config/listen/hooks.json"))
        #expect(FileManager.default.fileExists(atPath: marker))
    }
}
