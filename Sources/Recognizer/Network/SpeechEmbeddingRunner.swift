import Features

/// Runs a ``SpeechEmbedding`` over a whole utterance's mel frames at once.
///
/// openWakeWord runs the network on one 76-frame window every 8 frames; neighbouring windows
/// share most of their work. Here the network runs once, fully convolutionally, over all
/// frames: every convolution is VALID in time, and windows that start 4 frames apart meet the
/// first two time pools (stride 2 each) on the same pairs of frames, so everything up to the
/// third time pool is shared by all windows that start at a multiple of 4. That last pool then
/// slides by one frame instead of two, and the last convolution reads every second of its
/// frames, which gives the windows at 0, 4, 8, … at once (every second one for an 80 ms step).
/// A convolution across bands is a `cblas_sgemm` over an im2col matrix, built for a block of
/// frames at a time so it stays within 256 KB; one over frames alone (3 × 1) is three
/// `cblas_sgemm`s on the input itself, each shifted by a frame (two frames in the last layer),
/// accumulating into the output. An utterance longer than 2 s runs in overlapping passes of 2 s
/// (``windowsPerPass``); the scratch buffers, reused from call to call, stay under 1 MB each.
/// Not thread-safe: one runner per thread.
public final class SpeechEmbeddingRunner {
    /// The network's weights.
    public let embedding: SpeechEmbedding
    private var buffers: ([Float], [Float], [Float]) = ([], [], [])

    /// Prepares a runner for `embedding`.
    public init(embedding: SpeechEmbedding) {
        self.embedding = embedding
        BLAS.useSingleThread()
    }

    /// The embeddings of every window of ``SpeechEmbeddingMel/windowFrames`` frames that starts
    /// at a multiple of `step` frames.
    /// - Parameters:
    ///   - mels: `[frames, 32]` from a ``FeatureExtractor`` with a speech-embedding configuration.
    ///   - step: frames between windows, 4 or 8.
    /// - Returns: `[(frames − 76) / step + 1, 96]`; no rows when there are fewer than 76 frames.
    public func embed(_ mels: Matrix, step: Int) -> Matrix {
        precondition(mels.columns == SpeechEmbeddingMel.bandCount, "expected \(SpeechEmbeddingMel.bandCount) mel bands, got \(mels.columns)")
        precondition(step == 4 || step == 8, "the step must be 4 or 8 frames, not \(step)")
        let size = SpeechEmbeddingMel.embeddingSize
        guard mels.rows >= SpeechEmbeddingMel.windowFrames else { return Matrix(rows: 0, columns: size) }
        let windows = passes(mels), stride = step / 4
        let count = (mels.rows - SpeechEmbeddingMel.windowFrames) / step + 1
        precondition(windows.rows >= (count - 1) * stride + 1, "the pass gave \(windows.rows) windows for \(count)")
        guard stride > 1 else { return Matrix(rows: count, columns: size, values: Array(windows.values.prefix(count * size))) }
        return Matrix(rows: count, columns: size, values: (0..<count).flatMap { windows.row($0 * stride) })
    }

    /// Windows per pass: a long utterance is run in passes of 200 frames (2 s) that start 128
    /// frames apart, so the scratch buffers stay under 1 MB each. A pass that starts at a
    /// multiple of 4 frames gives the same windows as one over all frames.
    static let windowsPerPass = 32

    /// The windows at 0, 4, 8, … `[(frames − 76) / 4 + 1, 96]`, in passes of ``windowsPerPass``.
    private func passes(_ mels: Matrix) -> Matrix {
        let bands = SpeechEmbeddingMel.bandCount, passFrames = SpeechEmbeddingMel.windowFrames + 4 * (Self.windowsPerPass - 1)
        guard mels.rows > passFrames else { return run(mels) }
        var values: [Float] = [], rows = 0
        for start in stride(from: 0, through: mels.rows - SpeechEmbeddingMel.windowFrames, by: 4 * Self.windowsPerPass) {
            let end = min(mels.rows, start + passFrames)
            let part = run(Matrix(rows: end - start, columns: bands, values: Array(mels.values[(start * bands)..<(end * bands)])))
            values += part.values
            rows += part.rows
        }
        return Matrix(rows: rows, columns: SpeechEmbeddingMel.embeddingSize, values: values)
    }

    /// One pass over all of `mels`: the windows at 0, 4, 8, … `[(frames − 76) / 4 + 1, 96]`.
    private func run(_ mels: Matrix) -> Matrix {
        var (input, patches, output) = buffers
        defer { buffers = (input, patches, output) }
        var frames = mels.rows, bands = SpeechEmbeddingMel.bandCount
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: mels.values)
        let last = SpeechEmbedding.layers.count - 1
        for (k, layer) in SpeechEmbedding.layers.enumerated() {
            // The last convolution reads every second frame of the sliding last pool's output.
            let dilation = k == last ? 2 : 1
            let outFrames = frames - (layer.kernelHeight - 1) * dilation
            let positions = outFrames * bands, width = layer.patchSize
            output.removeAll(keepingCapacity: true)
            output.append(contentsOf: repeatElement(0, count: positions * layer.outputChannels))
            if layer.kernelWidth == 1 {
                // Frame i of the kernel reads the input from frame i·dilation on: rows of the input as
                // it is. Its part of the kernel is `[outputChannels, inputChannels]`, rows `patchSize` apart.
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { o in
                        embedding.weights[k].withUnsafeBufferPointer { w in
                            embedding.biases[k].withUnsafeBufferPointer { bias in
                                for i in 0..<layer.kernelHeight {
                                    BLAS.multiplyTransposed(x.baseAddress! + i * dilation * bands * layer.inputChannels, rows: positions,
                                                            inner: layer.inputChannels, w.baseAddress! + i * layer.inputChannels,
                                                            bStride: layer.patchSize, outputs: layer.outputChannels,
                                                            bias: i == 0 ? bias.baseAddress! : nil, into: o.baseAddress!, accumulating: i > 0)
                                }
                            }
                        }
                    }
                }
            } else {
                // A block of output frames at a time, so the patches stay small however long the utterance.
                let block = max(1, Self.patchBlockValues / (bands * width))
                for first in stride(from: 0, to: outFrames, by: block) {
                    let count = min(block, outFrames - first)
                    Self.im2col(input, frames: first..<(first + count), bands: bands, layer: layer, into: &patches)
                    patches.withUnsafeBufferPointer { p in
                        output.withUnsafeMutableBufferPointer { o in
                            BLAS.multiplyTransposed(p.baseAddress!, rows: count * bands, inner: width, embedding.weights[k],
                                                    outputs: layer.outputChannels, bias: embedding.biases[k],
                                                    into: o.baseAddress! + first * bands * layer.outputChannels)
                        }
                    }
                }
            }
            if k < last {
                output.withUnsafeMutableBufferPointer { o in
                    for i in o.indices {
                        let x = o[i]
                        o[i] = max(x >= 0 ? x : 0.2 * x, -0.4)
                    }
                }
            }
            frames = outFrames
            if layer.poolHeight > 1 || layer.poolWidth > 1 {
                // The last time pool slides by one frame: its pairs for windows 4 frames apart.
                let slides = k == last - 1
                Self.maxPool(output, frames: frames, bands: bands, channels: layer.outputChannels,
                             height: layer.poolHeight, width: layer.poolWidth, timeStride: slides ? 1 : layer.poolHeight, into: &input)
                frames = slides ? frames - layer.poolHeight + 1 : frames / layer.poolHeight
                bands /= layer.poolWidth
            } else {
                swap(&input, &output)
            }
        }
        return Matrix(rows: frames * bands, columns: SpeechEmbeddingMel.embeddingSize,
                      values: Array(input.prefix(frames * bands * SpeechEmbeddingMel.embeddingSize)))
    }

    /// The most values an im2col block holds (256 KB): a convolution across bands runs over this
    /// many patch values at a time.
    private static let patchBlockValues = 1 << 16

    /// The patches of a convolution for output frames `frames`, VALID in time and SAME (zeros)
    /// across bands: `[frames.count × bands, kernelHeight × kernelWidth × channels]`, kernel
    /// order frames, bands, channels.
    private static func im2col(_ input: [Float], frames: Range<Int>, bands: Int, layer: SpeechEmbedding.Layer, into patches: inout [Float]) {
        let channels = layer.inputChannels
        let pad = (layer.kernelWidth - 1) / 2, width = layer.patchSize
        patches.removeAll(keepingCapacity: true)
        patches.append(contentsOf: repeatElement(0, count: frames.count * bands * width))
        input.withUnsafeBufferPointer { x in
            patches.withUnsafeMutableBufferPointer { p in
                for t in frames {
                    for b in 0..<bands {
                        var target = p.baseAddress! + ((t - frames.lowerBound) * bands + b) * width
                        for i in 0..<layer.kernelHeight {
                            for j in 0..<layer.kernelWidth {
                                let band = b + j - pad
                                if band >= 0 && band < bands {
                                    target.update(from: x.baseAddress! + ((t + i) * bands + band) * channels, count: channels)
                                }
                                target += channels
                            }
                        }
                    }
                }
            }
        }
    }

    /// Max pool of `height × width`, VALID, moving `timeStride` frames and `width` bands:
    /// `[(frames − height) / timeStride + 1, bands / width, channels]`.
    private static func maxPool(_ input: [Float], frames: Int, bands: Int, channels: Int, height: Int, width: Int,
                                timeStride: Int, into output: inout [Float]) {
        let outFrames = (frames - height) / timeStride + 1, outBands = bands / width
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: repeatElement(-Float.infinity, count: outFrames * outBands * channels))
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                for t in 0..<outFrames {
                    for b in 0..<outBands {
                        let target = (t * outBands + b) * channels
                        for i in 0..<height {
                            for j in 0..<width {
                                let source = ((t * timeStride + i) * bands + b * width + j) * channels
                                for c in 0..<channels { y[target + c] = max(y[target + c], x[source + c]) }
                            }
                        }
                    }
                }
            }
        }
    }
}
