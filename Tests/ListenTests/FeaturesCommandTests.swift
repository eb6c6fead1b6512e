import Audio
import Foundation
import TestSupport
import Testing

@Suite("listen features (end to end)", .enabled(if: Fixtures.has("reference/mfcc"), "needs ../shared/reference/mfcc"))
struct FeaturesCommandTests {
    static let yes = Fixtures.path("reference/mfcc/speech_yes.wav")

    @Test("text: one frame per line, values separated by spaces, matching librosa")
    func text() throws {
        let result = try ListenProcess.run(["features", Self.yes])
        #expect(result.status == 0)
        let rows = result.output.split(separator: "\n").map { $0.split(separator: " ").map { Float($0)! } }
        #expect(rows.count == 97 && rows.allSatisfy { $0.count == 13 })
        let reference = try Fixtures.matrix("reference/mfcc/speech_yes.mfcc.txt")
        #expect(Fixtures.relativeError(rows.flatMap { $0 }, reference.values) <= 1e-4)
    }

    @Test("--kind logmel --format json")
    func json() throws {
        let result = try ListenProcess.run(["features", "--kind", "logmel", "--format", "json", Self.yes])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: result.standardOutput) as! [String: Any]
        #expect(object["frames"] as? Int == 97 && object["dimension"] as? Int == 40 && object["kind"] as? String == "logmel")
        let values = (object["values"] as! [[Double]]).flatMap { $0.map(Float.init) }
        let reference = try Fixtures.matrix("reference/mfcc/speech_yes.logmel.txt")
        #expect(Fixtures.relativeError(values, reference.values) <= 1e-4)
    }

    @Test("--format npy writes a float32 array numpy can load")
    func npy() throws {
        let result = try ListenProcess.run(["features", "--format", "npy", "--deltas", Self.yes])
        #expect(result.status == 0)
        let bytes = [UInt8](result.standardOutput)
        #expect(Array(bytes.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'shape': (97, 39)") && header.contains("'<f4'"))
        #expect((10 + headerLength) % 64 == 0)
        #expect(bytes.count == 10 + headerLength + 97 * 39 * 4)
    }

    @Test("- reads raw s16le from standard input")
    func standardInput() throws {
        let audio = try AudioDecoder.decode(file: Self.yes)
        let pcm = audio.samples.flatMap { sample -> [UInt8] in
            let value = Int16((sample * 32_768).rounded())
            return [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        let piped = try ListenProcess.run(["features", "--raw", "s16le", "--rate", "16000", "-"], input: Data(pcm))
        let direct = try ListenProcess.run(["features", Self.yes])
        #expect(piped.status == 0 && piped.output == direct.output)
        let wav = try ListenProcess.run(["features", "-"], input: try Data(contentsOf: URL(fileURLWithPath: Self.yes)))
        #expect(wav.output == direct.output)
    }
}

@Suite("listen exit codes and errors (end to end)")
struct ExitCodeTests {
    @Test("A file that is not audio: one line naming it, exit 1")
    func badFile() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("notes.wav").path
        try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = try ListenProcess.run(["features", path])
        #expect(result.status == 1)
        #expect(result.standardError == "listen: \(path): not a WAV/FLAC/OGG/MP3 file: unknown header 'just'\n")
        #expect(result.output.isEmpty)
    }

    @Test("A file the user may not read: permission denied, exit 1")
    func noPermission() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("secret.wav").path
        try AudioFileWriter.write([Float](repeating: 0.1, count: 16_000), to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        // Root reads everything: run as `nobody` then, with the folder open to it.
        let asUser = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        if getuid() == 0 { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
        let result = try ListenProcess.run(["features", path], prefix: asUser)
        #expect(result.status == 1)
        #expect(result.standardError == "listen: \(path): permission denied\n")
    }

    @Test("A bad flag is a usage error, exit 2")
    func usage() throws {
        let result = try ListenProcess.run(["features", "--kind", "spectrogram", "x.wav"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("spectrogram"))
    }
}
