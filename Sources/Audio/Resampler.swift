internal import CSampleRate

/// A streaming sample-rate converter for mono audio (libsamplerate's sinc converter).
///
/// Push chunks of any size with ``process(_:isFinal:)``; the output is the same as
/// converting the whole signal at once. Used for files at other rates and for live
/// input at 44.1/48 kHz.
public final class Resampler {
    /// The converter's quality, from libsamplerate's sinc family.
    public enum Quality: Sendable {
        /// `SRC_SINC_BEST_QUALITY`: 97 dB SNR, slow.
        case best
        /// `SRC_SINC_MEDIUM_QUALITY`: 97 dB SNR, 121 dB with narrower band; the default.
        case medium
        /// `SRC_SINC_FASTEST`: band-limited, for live input on slow machines.
        case fastest

        var converter: Int32 {
            switch self {
            case .best: Int32(SRC_SINC_BEST_QUALITY)
            case .medium: Int32(SRC_SINC_MEDIUM_QUALITY)
            case .fastest: Int32(SRC_SINC_FASTEST)
            }
        }
    }

    private let state: OpaquePointer
    /// Output rate over input rate.
    public let ratio: Double
    private var output: [Float] = []

    /// Creates a converter with `src_new`.
    /// - Parameters:
    ///   - inputRate: the rate of the samples pushed in, in Hz.
    ///   - outputRate: the rate wanted, in Hz (16 kHz by default).
    ///   - quality: the sinc converter to use.
    /// - Throws: ``AudioError/resampling(reason:)`` with libsamplerate's message.
    public init(from inputRate: Int, to outputRate: Int = AudioDecoder.sampleRate, quality: Quality = .medium) throws {
        ratio = Double(outputRate) / Double(inputRate)
        guard inputRate > 0, outputRate > 0, src_is_valid_ratio(ratio) != 0 else {
            throw AudioError.resampling(reason: "cannot convert \(inputRate) Hz to \(outputRate) Hz")
        }
        var error: Int32 = 0
        guard let state = src_new(quality.converter, 1, &error) else {
            throw AudioError.resampling(reason: String(cString: src_strerror(error)))
        }
        self.state = state
    }

    deinit { src_delete(state) }

    /// Converts the next chunk of input with `src_process`.
    /// - Parameters:
    ///   - input: mono samples at the input rate.
    ///   - isFinal: true for the last chunk: flushes what the filter still holds.
    /// - Returns: the mono samples at the output rate that are ready.
    public func process(_ input: [Float], isFinal: Bool = false) -> [Float] {
        let capacity = Int((Double(input.count) * ratio).rounded(.up)) + 512
        if output.count < capacity { output = [Float](repeating: 0, count: capacity) }
        var result: [Float] = []
        result.reserveCapacity(capacity)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                var consumed = 0
                while true {
                    var data = SRC_DATA()
                    data.data_in = source.baseAddress.map { $0 + consumed }
                    data.input_frames = Int(source.count - consumed)
                    data.data_out = destination.baseAddress
                    data.output_frames = Int(destination.count)
                    data.end_of_input = isFinal ? 1 : 0
                    data.src_ratio = ratio
                    // Errors here are programming errors (bad pointers or ratio), checked in init.
                    let status = src_process(state, &data)
                    precondition(status == 0, String(cString: src_strerror(status)))
                    consumed += Int(data.input_frames_used)
                    result.append(contentsOf: destination.prefix(Int(data.output_frames_gen)))
                    let inputLeft = consumed < source.count
                    if !inputLeft && (!isFinal || data.output_frames_gen == 0) { break }
                }
            }
        }
        if isFinal { src_reset(state) }
        return result
    }

    /// Forgets the filter state, as before the first chunk (`src_reset`).
    public func reset() { src_reset(state) }
}

extension Resampler {
    /// `samples` as a recording made at `rate` would sound once `listen` reads it: converted
    /// down to `rate` and back up, so everything above half of `rate` is gone (8000: the
    /// telephone band of an 8 kHz recording).
    /// - Parameters:
    ///   - samples: mono samples at 16 kHz.
    ///   - rate: the rate of the channel in between, in Hz (below 16 kHz).
    /// - Returns: mono samples at 16 kHz, as many as `samples` give or take one.
    /// - Throws: ``AudioError/resampling(reason:)`` for a rate libsamplerate cannot convert to.
    public static func roundTrip(_ samples: [Float], through rate: Int) throws -> [Float] {
        let narrow = try Resampler(from: AudioDecoder.sampleRate, to: rate).process(samples, isFinal: true)
        return try Resampler(from: rate).process(narrow, isFinal: true)
    }
}
