import ArgumentParser
import Audio
import Foundation

/// How to read an input path: files by libsndfile, `-` from standard input (WAV/FLAC/OGG,
/// or headerless PCM with `--raw`).
struct AudioInputOptions: ParsableArguments {
    @Option(name: .customLong("raw"), help: "Standard input is headerless PCM in this encoding (s16le or f32le).")
    var rawEncoding: RawPCMFormat.Encoding?

    @Option(name: .customLong("rate"), help: "Sample rate of --raw input, in Hz.")
    var rawSampleRate: Int = 16_000

    @Option(name: .customLong("channels"), help: "Channels of --raw input.")
    var rawChannelCount: Int = 1

    /// The raw format for standard input, if one was given.
    var rawFormat: RawPCMFormat? {
        rawEncoding.map { RawPCMFormat(encoding: $0, sampleRate: rawSampleRate, channelCount: rawChannelCount) }
    }

    /// Decodes a path, or standard input for `-`.
    func decode(_ path: String) throws -> DecodedAudio {
        path == "-"
            ? try AudioDecoder.decode(handle: .standardInput, rawFormat: rawFormat, name: "-")
            : try AudioDecoder.decode(file: path)
    }
}

extension RawPCMFormat.Encoding: ExpressibleByArgument {}
