internal import CSndFile
import Foundation

/// Writes samples to an audio file with libsndfile (`sf_open` + `sf_writef_float`).
public enum AudioFileWriter {
    /// A container and sample encoding libsndfile can write.
    public enum Encoding: String, Sendable, CaseIterable {
        case wavPCM8 = "wav-pcm8", wavPCM16 = "wav-pcm16", wavPCM24 = "wav-pcm24", wavPCM32 = "wav-pcm32"
        case wavFloat = "wav-float"
        /// WAV with a WAVE_FORMAT_EXTENSIBLE header, 16-bit.
        case wavExtensible16 = "wavex-pcm16"
        case flac16 = "flac16"
        case oggVorbis = "ogg"
        /// MPEG layer III (MP3), through libsndfile's LAME.
        case mp3 = "mp3"

        var format: Int32 {
            let value: Int = switch self {
            case .wavPCM8: SF_FORMAT_WAV | SF_FORMAT_PCM_U8
            case .wavPCM16: SF_FORMAT_WAV | SF_FORMAT_PCM_16
            case .wavPCM24: SF_FORMAT_WAV | SF_FORMAT_PCM_24
            case .wavPCM32: SF_FORMAT_WAV | SF_FORMAT_PCM_32
            case .wavFloat: SF_FORMAT_WAV | SF_FORMAT_FLOAT
            case .wavExtensible16: SF_FORMAT_WAVEX | SF_FORMAT_PCM_16
            case .flac16: SF_FORMAT_FLAC | SF_FORMAT_PCM_16
            case .oggVorbis: SF_FORMAT_OGG | SF_FORMAT_VORBIS
            case .mp3: SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III
            }
            return Int32(value)
        }
    }

    /// Writes interleaved samples.
    /// - Parameters:
    ///   - samples: interleaved frames in [-1, 1].
    ///   - path: the file to create or replace.
    ///   - sampleRate: frames per second, in Hz.
    ///   - channelCount: interleaved channels.
    ///   - encoding: container and sample format (16-bit WAV by default).
    /// - Throws: ``AudioError/writeFailed(_:reason:)`` with libsndfile's message.
    public static func write(
        _ samples: [Float], to path: String, sampleRate: Int = AudioDecoder.sampleRate,
        channelCount: Int = 1, encoding: Encoding = .wavPCM16
    ) throws {
        precondition(channelCount > 0 && samples.count % channelCount == 0, "samples are not whole frames")
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channelCount)
        info.format = encoding.format
        let opened = SoundFile.libsndfileOpen { sf_open(path, Int32(SFM_WRITE), &info) }
        guard let file = opened.handle else { throw AudioError.writeFailed(path, reason: opened.reason) }
        let frames = samples.count / channelCount
        let written = samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(frames)) }
        let reason = String(cString: sf_strerror(file))
        sf_close(file)
        guard written == frames else { throw AudioError.writeFailed(path, reason: reason) }
    }
}
