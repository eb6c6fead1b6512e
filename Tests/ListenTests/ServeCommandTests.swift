import Foundation
import TestSupport
import Testing

/// `listen serve` driven by the real `wyoming` client library (scripts/wyoming-client.py), over
/// TCP and a Unix socket.
/// Whether `python3` can import the `wyoming` package.
enum WyomingPackage {
    static let isInstalled: Bool = {
        (try? ListenProcess.run(program: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import wyoming"]).status) == 0
    }()
}

@Suite("listen serve: the Wyoming server, with the wyoming package as client", .serialized,
       .enabled(if: WyomingPackage.isInstalled, "needs python3 with wyoming (scripts/install-python-packages)"))
struct ServeCommandTests {
    static let client = Fixtures.packageRoot.path + "/scripts/wyoming-client.py"

    /// A free TCP port on the loopback.
    static func freePort() -> Int { Int.random(in: 20000...40000) }

    /// Runs the client; its stdout lines.
    static func client(_ arguments: [String]) throws -> [String] {
        let result = try ListenProcess.run(program: URL(fileURLWithPath: "/usr/bin/env"), ["python3", client] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.standardError)")
        return result.output.split(separator: "\n").map(String.init)
    }

    static func sox(_ arguments: [String]) throws {
        let result = try ListenProcess.run(program: URL(fileURLWithPath: "/usr/bin/sox"), arguments)
        #expect(result.status == 0, "\(result.standardError)")
    }

    /// A server on `uri`, stopped by the caller.
    static func start(_ arguments: [String], uri: String) throws -> RunningListen {
        let server = try RunningListen(["serve", "--uri", uri] + arguments)
        #expect(server.waitForStandardError("listen: serving Wyoming on \(uri)"), "the server did not start")
        return server
    }

    @Test("Transcripts of real dev clips over TCP are listen transcribe's, and info lists the vocabulary and the wake words")
    func transcribesDevClips() throws {
        let dev = Fixtures.path("data/speech-commands-dev")
        guard Fixtures.has("data/speech-commands-dev") else { return }
        let words = ["yes", "no", "stop", "left", "seven"]
        let clips = try words.flatMap { word in
            try FileManager.default.contentsOfDirectory(atPath: "\(dev)/\(word)").sorted().prefix(3).map { "\(dev)/\(word)/\($0)" }
        }
        let uri = "tcp://127.0.0.1:\(Self.freePort())"
        let server = try Self.start(["--wake-word", "stop"], uri: uri)
        defer { _ = server.stop(signal: SIGTERM) }

        let info = try #require(try Self.client(["describe", uri]).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any])
        let asr = try #require((object["asr"] as? [[String: Any]])?.first)
        let model = try #require((asr["models"] as? [[String: Any]])?.first)
        #expect((model["description"] as? String)?.hasPrefix("command words: yes, no, up, down") == true)
        #expect(((object["wake"] as? [[String: Any]])?.first?["models"] as? [[String: Any]])?.map { $0["phrase"] as? String } == ["stop"])

        let served = try Self.client(["transcribe", uri] + clips)
        let direct = try ListenProcess.run(["transcribe"] + clips + ["--format", "jsonl", "--jobs", "1"])
        let expected = try direct.output.split(separator: "\n").map { line -> String in
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return "\(record["file"] as? String ?? "")\t\(record["text"] as? String ?? "")"
        }
        #expect(served == expected, "\(served)\n\(expected)")
        #expect(served.filter { line in words.contains { line.contains("/\($0)/") && line.hasSuffix("\t\($0)") } }.count >= 10)
    }

    @Test("A wake word ends in a longer stream: detected at its time; other words are not; silence is not-detected (Unix socket)")
    func wakeWordInStream() throws {
        let folder = try Fixtures.scratchFolder().path
        let quiet = folder + "/quiet.wav", stream = folder + "/stream.wav", stereo = folder + "/stereo.wav"
        try Self.sox(["-n", "-r", "16000", "-c", "1", "-b", "16", quiet, "trim", "0", "2"])
        let examples = Fixtures.packageRoot.path + "/Examples"
        try Self.sox([quiet, examples + "/yes.wav", quiet, examples + "/stop.wav", quiet, stream])
        try Self.sox([stream, "-r", "44100", "-c", "2", "-b", "16", stereo])
        let uri = "unix://\(folder)/listen.sock"
        let server = try Self.start(["--wake-word", "stop"], uri: uri)
        defer { _ = server.stop(signal: SIGTERM) }

        for file in [stream, stereo] {
            let events = try Self.client(["detect", uri, file, "--names", "stop"])
            #expect(events.count == 1 && events[0].hasPrefix("detection stop "), "\(file): \(events)")
            let milliseconds = Int(events.first?.split(separator: " ").last ?? "") ?? 0
            #expect((5000...6500).contains(milliseconds), "stop ends at about 5.7 s of the stream: \(milliseconds)")
        }
        #expect(try Self.client(["detect", uri, quiet]) == ["not-detected"])
    }

    @Test("Two clients at once each get their own transcript")
    func twoClients() throws {
        let uri = "tcp://127.0.0.1:\(Self.freePort())"
        let server = try Self.start([], uri: uri)
        defer { _ = server.stop(signal: SIGTERM) }
        let examples = Fixtures.packageRoot.path + "/Examples"
        let lines = try Self.client(["together", uri, examples + "/up.wav", examples + "/go_left.wav"])
        #expect(lines == ["\(examples)/up.wav\tup", "\(examples)/go_left.wav\tgo left"])
    }

    @Test("Broken events close that client with an error event and a log line; the server goes on")
    func brokenEvents() throws {
        let uri = "tcp://127.0.0.1:\(Self.freePort())"
        let server = try Self.start([], uri: uri)
        let expected = ["json": "malformed event: the header is not a JSON object",
                        "oversized": "event too large: 'audio-chunk' has a payload_length of 999999999 bytes",
                        "half": "the connection closed in the middle of an event",
                        "audio": "malformed event: audio needs rate (1000-384000), width (1, 2 or 4) and channels (1-32)"]
        for (kind, text) in expected.sorted(by: { $0.key < $1.key }) {
            let lines = try Self.client(["broken", uri, kind])
            #expect(lines.count == 2 && lines[0].hasPrefix("error\t" + text), "\(kind): \(lines)")
            #expect(lines.last?.hasPrefix("{\"asr\"") == true, "the server still answers describe after '\(kind)'")
        }
        let result = server.stop(signal: SIGTERM)
        #expect(result.status == 0)
        #expect(result.standardError.components(separatedBy: "listen: closing a client of \(uri): ").count == 5, "\(result.standardError)")
    }

    @Test("A port in use or a bad URI is one line and exit 2")
    func badAddress() throws {
        let bad = try ListenProcess.run(["serve", "--uri", "http://x"])
        #expect(bad.status == 2)
        #expect(bad.standardError == "listen: http://x: not tcp://HOST:PORT or unix:PATH\n")
        let folder = try Fixtures.scratchFolder().path
        FileManager.default.createFile(atPath: folder + "/file", contents: Data())
        let notSocket = try ListenProcess.run(["serve", "--uri", "unix:\(folder)/file"])
        #expect(notSocket.status == 2)
        #expect(notSocket.standardError == "listen: unix:\(folder)/file: \(folder)/file exists and is not a socket\n")
    }
}
