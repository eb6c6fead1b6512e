import Foundation
import TestSupport
import Testing

/// The programs in Examples/ (the README's library snippets) do what they say.
@Suite("Examples", .serialized)
struct ExamplesTests {
    static func program(_ name: String) -> URL { ListenProcess.executable.deletingLastPathComponent().appendingPathComponent(name) }

    @Test("TranscribeFile prints each file's command words with times; a missing file is one line naming it")
    func transcribeFile() throws {
        let examples = Fixtures.packageRoot.path + "/Examples"
        let result = try ListenProcess.run(program: Self.program("TranscribeFile"), [examples + "/go_left.wav", examples + "/nothing.wav"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.output.contains("go_left.wav: go left\n  go 0."))
        #expect(result.output.contains("nothing.wav") && result.output.contains("no such file"))
    }

    @Test("MicrophoneHook runs its program when the keyword is played into the microphone",
          .enabled(if: PulseServer.isAvailable, "needs pulseaudio and paplay (scripts/install-system-packages)"))
    func microphoneHook() throws {
        let server = try PulseServer()
        let folder = try Fixtures.scratchFolder().path
        let running = try RunningListen(["stop", "/usr/bin/touch", folder + "/heard"],
                                        environment: server.environment.merging(["PULSE_SOURCE": "virt.monitor"]) { $1 },
                                        program: Self.program("MicrophoneHook"))
        #expect(running.waitForStandardOutput("listening to virt.monitor"))
        try server.play(try MicCommandTests.padded("stop"))
        #expect(running.waitForStandardOutput("\"event\":\"action_finished\""))
        let result = running.stop()
        #expect(result.output.contains("\nstop\n"), "\(result.output)")
        #expect(FileManager.default.fileExists(atPath: folder + "/heard"))
    }
}
