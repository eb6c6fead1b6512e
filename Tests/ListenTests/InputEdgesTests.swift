import Audio
import Foundation
import TestSupport
import Testing

@Suite("Inputs a new user has: MP3 files, damaged headers")
struct InputEdgesTests {
    @Test("MP3 files are audio: found in folders by their extension and heard")
    func mp3() throws {
        let folder = try Fixtures.scratchFolder().path
        let samples = try AudioDecoder.decode(file: Fixtures.packageRoot.path + "/Examples/yes.wav").samples
        try AudioFileWriter.write(samples, to: folder + "/yes.mp3", encoding: .mp3)
        let result = try ListenProcess.run(["transcribe", folder, "--format", "jsonl"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.output.contains("\"file\":\"\(folder)/yes.mp3\"") && result.output.contains("\"text\":\"yes\""), "\(result.output)")
    }

    @Test("A WAV whose RIFF header is damaged is named as such, not as an unknown header 'RIFF'")
    func damagedRIFF() throws {
        let path = try Fixtures.scratchFolder().path + "/damaged.wav"
        try Data("RIFF\u{10}\u{0}\u{0}\u{0}WAVXjunkjunkjunk".utf8).write(to: URL(fileURLWithPath: path))
        let result = try ListenProcess.run(["transcribe", path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("listen: \(path): malformed audio file: damaged WAV header ('RIFF' is there"), "\(result.standardError)")
    }
}
