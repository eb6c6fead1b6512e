import Foundation

/// Computes feature frames from 16 kHz mono samples (FFTW power spectrum → Slaney mel →
/// dB → DCT-II), exactly as `shared/reference/mfcc/README.md` defines them.
///
/// The FFT plan, window, filterbank and DCT matrix are made once, in `init`; extracting
/// allocates only the result. Not thread-safe: use one extractor per thread.
public final class FeatureExtractor {
    /// The front end this extractor implements.
    public let configuration: FeatureConfiguration
    /// The mel filters in use.
    public let filterbank: MelFilterbank
    /// The periodic Hamming window, `0.54 - 0.46 cos(2πn/N)`; for a speech embedding the
    /// periodic Hann window, `0.5 - 0.5 cos(2πn/N)`, times ``SpeechEmbeddingMel/sampleScale``.
    public let window: [Float]
    private let fft: FFTWPlan
    /// Orthonormal DCT-II rows, `[coefficients, bands]`.
    private let dct: [Float]
    private let power: UnsafeMutablePointer<Float>
    private let energies: UnsafeMutablePointer<Float>
    /// Where a frame's samples start relative to its hop: the window is centred in the FFT.
    let windowOffset: Int

    /// Prepares an extractor: plans the FFT, builds the window, filterbank and DCT.
    /// - Parameter configuration: the front end; defaults to the reference MFCC.
    /// - Throws: ``FeatureError`` for an invalid configuration or a failed FFTW plan.
    public init(configuration: FeatureConfiguration = FeatureConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        filterbank = MelFilterbank(configuration: configuration)
        let n = configuration.windowLength
        if configuration.kind == .speechEmbedding {
            window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) * SpeechEmbeddingMel.sampleScale }
        } else {
            window = (0..<n).map { Float(0.54 - 0.46 * cos(2 * Double.pi * Double($0) / Double(n))) }
        }
        fft = try FFTWPlan(size: configuration.fftSize)
        let bands = configuration.melBandCount
        let coefficients = configuration.kind == .mfcc ? configuration.coefficientCount : 0
        dct = (0..<(coefficients * bands)).map { index in
            let (i, j) = index.quotientAndRemainder(dividingBy: bands)
            let scale = i == 0 ? sqrt(1 / Double(bands)) : sqrt(2 / Double(bands))
            return Float(scale * cos(Double.pi * Double(i) * Double(2 * j + 1) / Double(2 * bands)))
        }
        power = .allocate(capacity: configuration.fftSize / 2 + 1)
        energies = .allocate(capacity: bands)
        windowOffset = (configuration.fftSize - n) / 2
    }

    deinit {
        power.deallocate()
        energies.deallocate()
    }

    /// Extracts all frames of an utterance, with deltas and normalisation if configured.
    /// - Parameter samples: mono samples at ``FeatureConfiguration/sampleRate``.
    /// - Returns: `[frames, dimension]`; zero rows when there are fewer than `fftSize` samples.
    public func extract(_ samples: [Float]) -> Matrix {
        postprocess(baseFrames(samples))
    }

    /// The frames before deltas and normalisation, ``FeatureConfiguration/edgePadding`` included:
    /// `[frames, baseDimension]`.
    public func baseFrames(_ samples: [Float]) -> Matrix {
        let padding = configuration.edgePaddingSamples
        guard padding > 0 else { return unpaddedBaseFrames(samples) }
        var padded = [Float](repeating: 0, count: samples.count + 2 * padding)
        padded.replaceSubrange(padding..<(padding + samples.count), with: samples)
        return unpaddedBaseFrames(padded)
    }

    private func unpaddedBaseFrames(_ samples: [Float]) -> Matrix {
        let c = configuration
        let count = c.frameCount(forSampleCount: samples.count)
        var result = Matrix(rows: count, columns: c.baseDimension)
        samples.withUnsafeBufferPointer { input in
            result.values.withUnsafeMutableBufferPointer { output in
                for frame in 0..<count {
                    computeFrame(input.baseAddress! + frame * c.hopLength,
                                 into: output.baseAddress! + frame * c.baseDimension)
                }
            }
        }
        if c.kind == .speechEmbedding { SpeechEmbeddingMel.finish(&result) }
        return result
    }

    /// Adds deltas and applies normalisation, as configured. Under a speech embedding the mel frames
    /// come back as they are: the recognizer's front end embeds and normalises them.
    /// - Parameter base: `[frames, baseDimension]` from ``baseFrames(_:)`` or a streaming extractor.
    /// - Returns: `[frames, dimension]` (`[frames, baseDimension]` under a speech embedding).
    public func postprocess(_ base: Matrix) -> Matrix {
        precondition(base.columns == configuration.baseDimension, "expected \(configuration.baseDimension) columns, got \(base.columns)")
        guard configuration.kind != .speechEmbedding else { return base }
        var frames = configuration.includesDeltas ? Self.withDeltas(base) : base
        Self.normalize(&frames, configuration.normalization)
        return frames
    }

    /// Computes one base frame from the `fftSize` samples starting at `start`.
    /// - Parameters:
    ///   - start: the frame's first sample (`hop * t`); `fftSize` samples must follow.
    ///   - output: room for ``FeatureConfiguration/baseDimension`` values.
    @inline(__always)
    func computeFrame(_ start: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let c = configuration
        let input = fft.input, spectrum = fft.output
        window.withUnsafeBufferPointer { w in
            let frame = start + windowOffset
            for n in 0..<c.windowLength { input[n] = frame[n] * w[n] }
        }
        fft.execute()
        for k in 0...(c.fftSize / 2) {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            power[k] = re * re + im * im
        }
        let bands = c.melBandCount
        let decibels = c.kind == .mfcc ? energies : output
        filterbank.apply(power: power, into: decibels)
        for j in 0..<bands { decibels[j] = 10 * log10f(max(1e-10, decibels[j])) }
        guard c.kind == .mfcc else { return }
        dct.withUnsafeBufferPointer { d in
            for i in 0..<c.coefficientCount {
                var sum: Float = 0
                let row = d.baseAddress! + i * bands
                for j in 0..<bands { sum += row[j] * energies[j] }
                output[i] = sum
            }
        }
    }

    /// `[base, Δ, ΔΔ]` per frame; Δ_t = Σ_{n=1,2} n (c_{t+n} − c_{t−n}) / 10, edges repeated.
    static func withDeltas(_ base: Matrix) -> Matrix {
        let delta = regression(base)
        let deltaDelta = regression(delta)
        let width = base.columns
        var values = [Float]()
        values.reserveCapacity(base.values.count * 3)
        for t in 0..<base.rows {
            values.append(contentsOf: base.row(t))
            values.append(contentsOf: delta.row(t))
            values.append(contentsOf: deltaDelta.row(t))
        }
        return Matrix(rows: base.rows, columns: width * 3, values: values)
    }

    private static func regression(_ m: Matrix) -> Matrix {
        var result = Matrix(rows: m.rows, columns: m.columns)
        let last = m.rows - 1
        for t in 0..<m.rows {
            for d in 0..<m.columns {
                var sum: Float = 0
                for n in 1...2 { sum += Float(n) * (m[min(t + n, last), d] - m[max(t - n, 0), d]) }
                result[t, d] = sum / 10
            }
        }
        return result
    }

    /// Applies a normalisation over the utterance to `m` (`[frames, values]`), in place.
    public static func normalize(_ m: inout Matrix, _ normalization: FeatureConfiguration.Normalization) {
        switch normalization {
        case .none: break
        case .utterance: normalize(&m)
        case .utterancePooled: normalizePooled(&m)
        }
    }

    /// Subtracts each column's mean and divides by its standard deviation (floored at 1e-3).
    static func normalize(_ m: inout Matrix) {
        let variances = subtractColumnMeans(&m)
        for d in 0..<m.columns {
            scale(&m, columns: d..<(d + 1), by: 1 / max(variances[d].squareRoot(), 1e-3))
        }
    }

    /// Subtracts each column's mean and divides every column by one standard deviation, that of
    /// all values together (floored at 1e-3).
    static func normalizePooled(_ m: inout Matrix) {
        let variances = subtractColumnMeans(&m)
        guard m.columns > 0 else { return }
        let pooled = variances.reduce(0, +) / Double(m.columns)
        scale(&m, columns: 0..<m.columns, by: 1 / max(pooled.squareRoot(), 1e-3))
    }

    /// Subtracts each column's mean; returns each column's variance.
    private static func subtractColumnMeans(_ m: inout Matrix) -> [Double] {
        guard m.rows > 0 else { return Array(repeating: 0, count: m.columns) }
        return (0..<m.columns).map { d in
            var mean: Double = 0, square: Double = 0
            for t in 0..<m.rows { mean += Double(m[t, d]) }
            mean /= Double(m.rows)
            for t in 0..<m.rows {
                m[t, d] = Float(Double(m[t, d]) - mean)
                square += Double(m[t, d]) * Double(m[t, d])
            }
            return square / Double(m.rows)
        }
    }

    private static func scale(_ m: inout Matrix, columns: Range<Int>, by factor: Double) {
        for t in 0..<m.rows {
            for d in columns { m[t, d] = Float(Double(m[t, d]) * factor) }
        }
    }
}
