import Audio
import Foundation
import TestSupport
import Testing

/// 1 s of two tones (440 Hz and 1 kHz), band-limited below 4 kHz so every rate holds it.
func tones(sampleRate: Int, seconds: Double = 1) -> [Float] {
    (0..<Int(Double(sampleRate) * seconds)).map { n in
        let t = Double(n) / Double(sampleRate)
        return Float(0.4 * sin(2 * .pi * 440 * t) + 0.3 * sin(2 * .pi * 1_000 * t))
    }
}

/// Signal-to-noise ratio of `actual` against `reference` in dB, over the middle (resampler edges skipped).
func snr(_ actual: [Float], _ reference: [Float], margin: Int = 400) -> Double {
    let range = margin..<(min(actual.count, reference.count) - margin)
    var signal = 0.0, noise = 0.0
    for i in range {
        signal += Double(reference[i] * reference[i])
        noise += Double((actual[i] - reference[i]) * (actual[i] - reference[i]))
    }
    return 10 * log10(signal / max(noise, 1e-30))
}

@Suite("AudioDecoder round trips")
struct AudioDecoderRoundTripTests {
    static let expected = tones(sampleRate: 16_000)

    @Test("Encodings decode to the same 16 kHz samples", arguments: [
        (AudioFileWriter.Encoding.wavPCM16, 80.0), (.wavPCM24, 90.0), (.wavPCM32, 90.0), (.wavFloat, 90.0),
        (.wavPCM8, 35.0), (.wavExtensible16, 80.0), (.flac16, 80.0), (.oggVorbis, 15.0),
    ])
    func encodings(encoding: AudioFileWriter.Encoding, minimumSNR: Double) throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clip.\(encoding.rawValue)").path
        try AudioFileWriter.write(Self.expected, to: path, encoding: encoding)
        let audio = try AudioDecoder.decode(file: path)
        #expect(audio.sourceSampleRate == 16_000 && audio.sourceChannelCount == 1)
        #expect(abs(audio.samples.count - 16_000) <= (encoding == .oggVorbis ? 1_024 : 0))
        #expect(snr(audio.samples, Self.expected) >= minimumSNR)
    }

    @Test("Other rates are resampled to 16 kHz with the right duration", arguments: [8_000, 11_025, 22_050, 44_100, 48_000, 96_000])
    func rates(rate: Int) throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clip.wav").path
        try AudioFileWriter.write(tones(sampleRate: rate), to: path, sampleRate: rate, encoding: .wavFloat)
        let audio = try AudioDecoder.decode(file: path)
        #expect(audio.sourceSampleRate == rate)
        #expect(abs(audio.samples.count - 16_000) <= 1)
        #expect(abs(audio.duration - 1) <= 0.001)
        #expect(snr(audio.samples, Self.expected) >= 60)
    }

    @Test("Channels are averaged into mono")
    func stereo() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("stereo.wav").path
        let interleaved = Self.expected.flatMap { [$0, 0.5 * $0] }
        try AudioFileWriter.write(interleaved, to: path, channelCount: 2, encoding: .wavFloat)
        let audio = try AudioDecoder.decode(file: path)
        #expect(audio.sourceChannelCount == 2)
        #expect(snr(audio.samples, Self.expected.map { 0.75 * $0 }, margin: 0) >= 120)
    }

    @Test("A WAV and raw s16le/f32le read from a pipe decode like the file")
    func handles() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clip.wav").path
        try AudioFileWriter.write(Self.expected, to: path)
        let fromFile = try AudioDecoder.decode(file: path)

        let wav = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        #expect(try AudioDecoder.decode(handle: wav) == fromFile)

        let s16 = fromFile.samples.flatMap { sample -> [UInt8] in
            let value = Int16(clamping: Int((sample * 32_768).rounded()))
            return [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        #expect(try AudioDecoder.decode(handle: pipe(s16), rawFormat: RawPCMFormat(encoding: .s16le)).samples == fromFile.samples)

        let stereo48k = tones(sampleRate: 48_000).flatMap { [$0, $0] }
        let f32 = stereo48k.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let raw = try AudioDecoder.decode(handle: pipe(f32), rawFormat: RawPCMFormat(encoding: .f32le, sampleRate: 48_000, channelCount: 2))
        #expect(raw.sourceSampleRate == 48_000 && raw.sourceChannelCount == 2)
        #expect(snr(raw.samples, Self.expected) >= 60)
    }

    /// A pipe whose read end yields `bytes` then end-of-file.
    private func pipe(_ bytes: [UInt8]) throws -> FileHandle {
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let thread = Thread { writer.write(Data(bytes)); try? writer.close() }
        thread.start()
        return pipe.fileHandleForReading
    }
}

@Suite("AudioDecoder on the shared recordings", .enabled(if: Fixtures.has("data"), "needs ../shared/data"))
struct AudioDecoderSharedDataTests {
    @Test("The 8 kHz spoken digits decode to 16 kHz with their duration")
    func digits() throws {
        let folder = Fixtures.path("data/spoken-digits-8k")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".wav") }.sorted().prefix(20)
        #expect(names.count == 20)
        for name in names {
            let path = folder + "/" + name
            let audio = try AudioDecoder.decode(file: path)
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
            let sourceSeconds = Double(size - 44) / 2 / 8_000
            #expect(audio.sourceSampleRate == 8_000)
            #expect(abs(audio.duration - sourceSeconds) < 0.01, "\(name): \(audio.duration) s vs \(sourceSeconds) s")
        }
    }

    @Test("The 48 kHz training clip decodes to 16 kHz with its duration")
    func clip48k() throws {
        let audio = try AudioDecoder.decode(file: Fixtures.path("data/one-speaker-train/one/audio_06-02-12-19-34-170crbjjbi5.wav"))
        #expect(audio.sourceSampleRate == 48_000)
        #expect(abs(audio.samples.count - 40_704 / 3) <= 1)
        #expect(abs(audio.duration - 0.848) < 0.001)
    }
}
