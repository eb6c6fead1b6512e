import Audio
import Foundation
import TestSupport
import Testing

/// Bytes of a 16-bit PCM WAV whose header fields can lie.
func wavBytes(samples: [Int16] = Array(repeating: 1_000, count: 16_000), declaredDataBytes: UInt32? = nil,
              channels: UInt16 = 1, rate: UInt32 = 16_000, format: UInt16 = 1, bits: UInt16 = 16) -> [UInt8] {
    func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
    let data: [UInt8] = format == 3 ? [] : samples.flatMap { le($0) }
    let dataSize = declaredDataBytes ?? UInt32(data.count)
    let blockAlign = UInt16(max(channels, 1)) * bits / 8
    var bytes = Array("RIFF".utf8) + le(UInt32(36) &+ dataSize) + Array("WAVEfmt ".utf8) + le(UInt32(16))
    bytes += le(format) + le(channels) + le(rate) + le(rate &* UInt32(blockAlign)) + le(blockAlign) + le(bits)
    return bytes + Array("data".utf8) + le(dataSize) + data
}

/// A 32-bit float WAV holding `samples`.
func floatWAVBytes(_ samples: [Float]) -> [UInt8] {
    var bytes = wavBytes(samples: [], declaredDataBytes: UInt32(samples.count * 4), format: 3, bits: 32)
    bytes += samples.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    return bytes
}

@Suite("AudioDecoder refuses bad input with one clear line")
final class AudioErrorTests {
    let folder: URL

    init() throws { folder = try Fixtures.scratchFolder() }

    deinit { try? FileManager.default.removeItem(at: folder) }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func expectError(_ path: String, _ expected: (String) -> AudioError, message: String) {
        #expect(throws: expected(path)) { try AudioDecoder.decode(file: path) }
        #expect(expected(path).description == "\(path): \(message)")
        #expect(!message.contains("\n"))
    }

    @Test func emptyFile() throws {
        expectError(try file("empty.wav", []), { .emptyFile($0) }, message: "empty file (0 bytes)")
    }

    @Test func truncatedData() throws {
        let path = try file("cut.wav", Array(wavBytes().prefix(20_000)))
        expectError(path, { .truncated($0, declaredBytes: 32_000, availableBytes: 19_956) },
                    message: "truncated: the header declares 32000 bytes of audio data, the file holds 19956")
    }

    @Test func truncatedHeader() throws {
        let path = try file("header.wav", Array(wavBytes().prefix(30)))
        expectError(path, { .malformed($0, reason: "Error in WAV file. No 'data' chunk marker") },
                    message: "malformed audio file: Error in WAV file. No 'data' chunk marker")
    }

    @Test("A header claiming 2 GB allocates nothing like it and is refused")
    func lyingHeader() throws {
        let path = try file("liar.wav", wavBytes(declaredDataBytes: 0x7FFF_FFF0))
        expectError(path, { .truncated($0, declaredBytes: 0x7FFF_FFF0, availableBytes: 32_000) },
                    message: "truncated: the header declares 2147483632 bytes of audio data, the file holds 32000")
    }

    @Test("The streaming size 0xFFFFFFFF (written by pipes) is accepted")
    func streamingSentinel() throws {
        let path = try file("stream.wav", wavBytes(declaredDataBytes: 0xFFFF_FFFF))
        #expect(try AudioDecoder.decode(file: path).samples.count == 16_000)
    }

    @Test func notAudio() throws {
        let path = try file("notes.wav", Array("hello, this is text and not audio at all\n".utf8))
        expectError(path, { .unrecognizedFormat($0, header: "hell") }, message: "not a WAV/FLAC/OGG/MP3 file: unknown header 'hell'")
        let mp3 = try file("song.mp3", Array("ID3".utf8) + [3] + Array(repeating: 0, count: 400))
        expectError(mp3, { .unrecognizedFormat($0, header: "ID3\\x03") }, message: "not a WAV/FLAC/OGG/MP3 file: unknown header 'ID3\\x03'")
    }

    @Test func zeroChannels() throws {
        expectError(try file("mute.wav", wavBytes(channels: 0)), { .invalidChannelCount($0, 0) },
                    message: "invalid channel count 0 (supported: 1-64)")
    }

    @Test("Two threads opening good and bad files at once each get their own error (libsndfile keeps a failed open's in one global)")
    func concurrentOpens() throws {
        let bad = try file("mute.wav", wavBytes(channels: 0)), good = try file("good.wav", wavBytes(samples: [1_000, -1_000]))
        let results = OpenResults()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for _ in 0..<3_000 {
                do {
                    _ = try AudioDecoder.decode(file: thread == 0 ? bad : good)
                    results.add(thread == 0 ? "decoded a zero-channel file" : nil)
                } catch {
                    results.add(thread == 0 && error as? AudioError == .invalidChannelCount(bad, 0) ? nil : "\(error)")
                }
            }
        }
        #expect(results.wrong.isEmpty, "\(results.wrong.count) of 6,000 opens went wrong, e.g. \(results.wrong.first ?? "")")
    }

    @Test("Absurd sample rates", arguments: [UInt32(1), 2_000_000_000])
    func absurdRate(rate: UInt32) throws {
        expectError(try file("rate.wav", wavBytes(rate: rate)), { .invalidSampleRate($0, Int(rate)) },
                    message: "invalid sample rate \(rate) Hz (supported: 1000-768000 Hz)")
    }

    @Test("NaN and infinite samples", arguments: [Float.nan, .infinity, -.infinity])
    func nonFinite(value: Float) throws {
        var samples = [Float](repeating: 0.1, count: 1_000)
        samples[800] = value
        expectError(try file("nan.wav", floatWAVBytes(samples)), { .nonFiniteSample($0, seconds: 0.05) },
                    message: "NaN or infinite sample at 0.050 s")
    }

    @Test func noSamples() throws {
        expectError(try file("silent.wav", wavBytes(samples: [])), { .noSamples($0) }, message: "contains no audio samples")
    }

    @Test func directory() throws {
        expectError(folder.path, { .isDirectory($0) }, message: "is a directory, not an audio file")
    }

    @Test func missing() throws {
        expectError(folder.appendingPathComponent("nowhere.wav").path, { .notFound($0) }, message: "no such file")
    }

    @Test("No permission", .enabled(if: getuid() != 0, "root reads every file; ListenTests covers this as an unprivileged user"))
    func noPermission() throws {
        let path = try file("secret.wav", wavBytes())
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        expectError(path, { .permissionDenied($0) }, message: "permission denied")
    }

    @Test("Raw PCM that is not whole frames, or has a bad rate")
    func rawFormat() throws {
        #expect(throws: AudioError.partialFrame("-", byteCount: 5, bytesPerFrame: 4)) {
            try AudioDecoder.decode(raw: [1, 2, 3, 4, 5], format: RawPCMFormat(encoding: .s16le, channelCount: 2), name: "-")
        }
        #expect(throws: AudioError.invalidSampleRate("-", 0)) {
            try AudioDecoder.decode(raw: [1, 2], format: RawPCMFormat(encoding: .s16le, sampleRate: 0), name: "-")
        }
        #expect(throws: AudioError.emptyFile("-")) { try AudioDecoder.decode(bytes: [], name: "-") }
    }
}

/// What went wrong in ``AudioErrorTests/concurrentOpens()``, collected from both threads.
private final class OpenResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var wrong: [String] = []
    func add(_ problem: String?) { if let problem { lock.withLock { wrong.append(problem) } } }
}

@Suite("Inputs the fuzzers found")
struct FuzzFindingsTests {
    @Test("A 52-byte FLAC whose header claims a minute at 288 kHz: refused or decoded, reserving at most a minute at 16 kHz")
    func flacClaimingAMinute() throws {
        let path = Fixtures.own("fuzz/FuzzAudioDecoder/flac-claims-a-minute-at-288khz")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == 52)
        // It used to reserve 69 MB for the samples the header promised; ./scripts/fuzz retries it under a 64 MB limit.
        let decoded = try? AudioDecoder.decode(bytes: bytes, name: "fuzz")
        #expect(decoded.map { $0.samples.count < 16_000 * 60 } ?? true)
    }
}
