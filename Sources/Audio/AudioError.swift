/// Everything that can go wrong turning a file or a stream into samples.
///
/// Each case names its input (a path, or `-` for standard input) and reads as one
/// line a user can act on.
public enum AudioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not exist.
    case notFound(String)
    /// The path is a directory, not a file.
    case isDirectory(String)
    /// A folder given as input holds no audio file (at any depth).
    case noAudioFiles(String)
    /// The file exists but cannot be opened for reading.
    case permissionDenied(String)
    /// The input holds zero bytes.
    case emptyFile(String)
    /// The input is readable but holds no audio frames.
    case noSamples(String)
    /// libsndfile does not recognise the container; `header` is the first bytes, escaped.
    case unrecognizedFormat(String, header: String)
    /// libsndfile recognised the container but refused it; `reason` is libsndfile's message.
    case malformed(String, reason: String)
    /// The header declares more audio data than the input holds.
    case truncated(String, declaredBytes: Int, availableBytes: Int)
    /// A channel count of zero, or more than ``AudioDecoder/maximumChannelCount``.
    case invalidChannelCount(String, Int)
    /// A sample rate outside ``AudioDecoder/supportedSampleRates``.
    case invalidSampleRate(String, Int)
    /// A NaN or infinite sample at the given time.
    case nonFiniteSample(String, seconds: Double)
    /// Reading failed part-way; `reason` is the system's or libsndfile's message.
    case readFailed(String, reason: String)
    /// Writing a file failed; `reason` is libsndfile's message.
    case writeFailed(String, reason: String)
    /// Raw PCM whose byte count is not a whole number of frames.
    case partialFrame(String, byteCount: Int, bytesPerFrame: Int)
    /// libsamplerate refused a conversion; `reason` is its message.
    case resampling(reason: String)

    /// The one-line message: the input's name, then ``reason``.
    public var description: String { input.map { "\($0): \(reason)" } ?? reason }

    /// The input the error is about, if any.
    public var input: String? {
        switch self {
        case .notFound(let name), .isDirectory(let name), .noAudioFiles(let name), .permissionDenied(let name), .emptyFile(let name),
             .noSamples(let name), .unrecognizedFormat(let name, _), .malformed(let name, _), .truncated(let name, _, _),
             .invalidChannelCount(let name, _), .invalidSampleRate(let name, _), .nonFiniteSample(let name, _),
             .readFailed(let name, _), .writeFailed(let name, _), .partialFrame(let name, _, _): name
        case .resampling: nil
        }
    }

    /// What is wrong, without the input's name (for records that carry the name already).
    public var reason: String {
        switch self {
        case .notFound: "no such file"
        case .isDirectory: "is a directory, not an audio file"
        case .noAudioFiles: "a folder with no audio files in it (wav flac ogg oga mp3 aiff aif au caf)"
        case .permissionDenied: "permission denied"
        case .emptyFile: "empty file (0 bytes)"
        case .noSamples: "contains no audio samples"
        case .unrecognizedFormat(_, let header):
            "not a WAV/FLAC/OGG/MP3 file: unknown header '\(header)'"
        case .malformed(_, let reason): "malformed audio file: \(reason)"
        case .truncated(_, let declared, let available):
            "truncated: the header declares \(declared) bytes of audio data, the file holds \(available)"
        case .invalidChannelCount(_, let count):
            "invalid channel count \(count) (supported: 1-\(AudioDecoder.maximumChannelCount))"
        case .invalidSampleRate(_, let rate):
            "invalid sample rate \(rate) Hz (supported: \(AudioDecoder.supportedSampleRates.lowerBound)-\(AudioDecoder.supportedSampleRates.upperBound) Hz)"
        case .nonFiniteSample(_, let seconds):
            "NaN or infinite sample at \(formatSeconds(seconds)) s"
        case .readFailed(_, let reason): "read failed: \(reason)"
        case .writeFailed(_, let reason): "cannot write: \(reason)"
        case .partialFrame(_, let bytes, let perFrame):
            "raw PCM of \(bytes) bytes is not a whole number of \(perFrame)-byte frames"
        case .resampling(let reason): "resampling failed: \(reason)"
        }
    }
}

private func formatSeconds(_ value: Double) -> String {
    let millis = Int((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}
