import Foundation

/// Turns files, bytes and pipes into 16 kHz mono ``DecodedAudio``.
///
/// Files are decoded with libsndfile (WAV in all its encodings, FLAC, OGG, AIFF …),
/// mixed down to mono by averaging channels and resampled with libsamplerate.
/// Every failure is an ``AudioError`` naming the input.
public enum AudioDecoder {
    /// The rate everything is converted to, in Hz.
    public static let sampleRate = 16_000
    /// Source rates accepted, in Hz; anything else is a broken header.
    public static let supportedSampleRates = 1_000...768_000
    /// The most channels accepted in one file.
    public static let maximumChannelCount = 64
    /// Frames read from libsndfile per call.
    private static let readChunkFrames = 16_384

    /// Decodes an audio file.
    /// - Parameter path: the file to read.
    /// - Returns: 16 kHz mono samples and the source's rate and channel count.
    /// - Throws: ``AudioError`` naming `path`.
    public static func decode(file path: String) throws -> DecodedAudio {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw FileManager.default.fileExists(atPath: path) ? AudioError.permissionDenied(path) : AudioError.notFound(path)
        }
        if attributes[.type] as? FileAttributeType == .typeDirectory { throw AudioError.isDirectory(path) }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 && attributes[.type] as? FileAttributeType == .typeRegular { throw AudioError.emptyFile(path) }
        return try decode(SoundFile(path: path, name: path), name: path)
    }

    /// Decodes a complete audio file held in memory (a WAV/FLAC/OGG that came down a pipe).
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - name: how errors name the input (`-` for standard input).
    /// - Throws: ``AudioError`` naming `name`.
    public static func decode(bytes: [UInt8], name: String) throws -> DecodedAudio {
        guard !bytes.isEmpty else { throw AudioError.emptyFile(name) }
        return try decode(SoundFile(bytes: bytes, name: name), name: name)
    }

    /// Decodes headerless PCM.
    /// - Parameters:
    ///   - bytes: interleaved little-endian frames in `format`.
    ///   - format: the encoding, rate and channel count the caller knows.
    ///   - name: how errors name the input.
    /// - Throws: ``AudioError`` naming `name`.
    public static func decode(raw bytes: [UInt8], format: RawPCMFormat, name: String) throws -> DecodedAudio {
        try validate(sampleRate: format.sampleRate, channelCount: format.channelCount, name: name)
        guard !bytes.isEmpty else { throw AudioError.emptyFile(name) }
        guard bytes.count % format.bytesPerFrame == 0 else {
            throw AudioError.partialFrame(name, byteCount: bytes.count, bytesPerFrame: format.bytesPerFrame)
        }
        let interleaved = interleavedSamples(of: bytes, encoding: format.encoding)
        var mono = [Float]()
        try mixDown(interleaved[...], channelCount: format.channelCount, into: &mono, firstFrame: 0, sampleRate: format.sampleRate, name: name)
        return try finish(mono, sourceSampleRate: format.sampleRate, channelCount: format.channelCount)
    }

    /// Reads a handle (standard input, a pipe) to its end and decodes it.
    /// - Parameters:
    ///   - handle: where the bytes come from.
    ///   - rawFormat: the PCM layout if the stream is headerless; nil for WAV/FLAC/OGG.
    ///   - name: how errors name the input (`-` for standard input).
    /// - Throws: ``AudioError`` naming `name`.
    public static func decode(handle: FileHandle, rawFormat: RawPCMFormat? = nil, name: String = "-") throws -> DecodedAudio {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw AudioError.readFailed(name, reason: error.localizedDescription)
        }
        if let rawFormat { return try decode(raw: bytes, format: rawFormat, name: name) }
        return try decode(bytes: bytes, name: name)
    }

    /// Converts little-endian PCM bytes to interleaved Float samples in [-1, 1] (floats unclamped).
    static func interleavedSamples(of bytes: [UInt8], encoding: RawPCMFormat.Encoding) -> [Float] {
        bytes.withUnsafeBytes { raw in
            switch encoding {
            case .s16le:
                (0..<raw.count / 2).map { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) / 32_768 }
            case .f32le:
                (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }
    }

    private static func validate(sampleRate: Int, channelCount: Int, name: String) throws {
        guard (1...maximumChannelCount).contains(channelCount) else { throw AudioError.invalidChannelCount(name, channelCount) }
        guard supportedSampleRates.contains(sampleRate) else { throw AudioError.invalidSampleRate(name, sampleRate) }
    }

    private static func decode(_ file: SoundFile, name: String) throws -> DecodedAudio {
        let channels = Int(file.info.channels), rate = Int(file.info.samplerate)
        try validate(sampleRate: rate, channelCount: channels, name: name)
        if let shortfall = file.declaredDataShortfall {
            throw AudioError.truncated(name, declaredBytes: shortfall.declared, availableBytes: shortfall.available)
        }
        // Grow with the data actually read, never with what a header claims: at most a minute at
        // 16 kHz is reserved up front (a 52-byte FLAC claiming a minute at 288 kHz once reserved 69 MB).
        var mono = [Float]()
        mono.reserveCapacity(min(Int(clamping: file.info.frames), 60 * 16_000))
        var chunk = [Float](repeating: 0, count: readChunkFrames * channels)
        while true {
            let frames = chunk.withUnsafeMutableBufferPointer { file.readFrames(into: $0.baseAddress!, frameCount: readChunkFrames) }
            if frames <= 0 { break }
            try mixDown(chunk[..<(frames * channels)], channelCount: channels, into: &mono, firstFrame: mono.count, sampleRate: rate, name: name)
        }
        if let reason = file.lastError { throw AudioError.readFailed(name, reason: reason) }
        guard !mono.isEmpty else { throw AudioError.noSamples(name) }
        return try finish(mono, sourceSampleRate: rate, channelCount: channels)
    }

    /// Averages interleaved channels into `mono`, clamping to [-1, 1] and refusing NaN/Inf.
    private static func mixDown(
        _ interleaved: ArraySlice<Float>, channelCount: Int, into mono: inout [Float],
        firstFrame: Int, sampleRate: Int, name: String
    ) throws {
        let scale = 1 / Float(channelCount)
        var frame = firstFrame
        var index = interleaved.startIndex
        while index < interleaved.endIndex {
            var sum: Float = 0
            for channel in 0..<channelCount { sum += interleaved[index + channel] }
            guard sum.isFinite else {
                throw AudioError.nonFiniteSample(name, seconds: Double(frame) / Double(sampleRate))
            }
            mono.append(min(1, max(-1, sum * scale)))
            index += channelCount
            frame += 1
        }
    }

    private static func finish(_ mono: [Float], sourceSampleRate: Int, channelCount: Int) throws -> DecodedAudio {
        guard sourceSampleRate != sampleRate else {
            return DecodedAudio(samples: mono, sourceSampleRate: sourceSampleRate, sourceChannelCount: channelCount)
        }
        let converted = try Resampler(from: sourceSampleRate).process(mono, isFinal: true)
        return DecodedAudio(samples: converted.map { min(1, max(-1, $0)) }, sourceSampleRate: sourceSampleRate, sourceChannelCount: channelCount)
    }
}
