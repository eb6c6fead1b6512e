/// A 2-D convolution over time and mel bands, with ReLU; one or more of them, stacked, run in
/// front of the first GRU layer.
///
/// Frame t of the input is `[inputBands × inputChannels]`, band-major (the log-mel features
/// have one channel; a convolution after another reads that one's output). Each output value
/// sees ``kernelFrames`` × ``kernelBands`` positions of every input channel, centred on it
/// (zero padding at the edges, so no frame is lost), and the output keeps every
/// ``bandStride``-th band. Frame t of the output is `[outputBands × channels]`, band-major.
/// The same filter runs at every band, so a formant that a longer or shorter vocal tract
/// moves a few bands up or down excites the same channel a few positions away.
///
/// Computed as one matrix product: every output position's patch of inputs is a row
/// (``patches(_:frames:into:)``), and the rows times the filters give all channels at once.
public struct Convolution: Sendable, Codable, Hashable {
    /// Output channels (filters).
    public var channels: Int
    /// Frames each filter spans (odd, centred).
    public var kernelFrames: Int
    /// Mel bands each filter spans (odd, centred).
    public var kernelBands: Int
    /// The step between output bands (2 halves them).
    public var bandStride: Int
    /// Input bands: the model's input size, or the previous convolution's output bands.
    public var inputBands: Int
    /// Input channels: 1 for the features, the previous convolution's channels after it.
    public var inputChannels: Int

    /// Creates a convolution description.
    public init(channels: Int, kernelFrames: Int = 3, kernelBands: Int = 5, bandStride: Int = 2, inputBands: Int,
                inputChannels: Int = 1) {
        self.channels = channels
        self.kernelFrames = kernelFrames
        self.kernelBands = kernelBands
        self.bandStride = bandStride
        self.inputBands = inputBands
        self.inputChannels = inputChannels
    }

    private enum CodingKeys: String, CodingKey { case channels, kernelFrames, kernelBands, bandStride, inputBands, inputChannels }

    /// Reads a convolution; files written before ``inputChannels`` existed have one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(channels: try container.decode(Int.self, forKey: .channels),
                  kernelFrames: try container.decode(Int.self, forKey: .kernelFrames),
                  kernelBands: try container.decode(Int.self, forKey: .kernelBands),
                  bandStride: try container.decode(Int.self, forKey: .bandStride),
                  inputBands: try container.decode(Int.self, forKey: .inputBands),
                  inputChannels: try container.decodeIfPresent(Int.self, forKey: .inputChannels) ?? 1)
    }

    /// The convolution that reads this one's output: `channels` filters of the same kernel and stride.
    public func followed(byChannels channels: Int) -> Convolution {
        Convolution(channels: channels, kernelFrames: kernelFrames, kernelBands: kernelBands, bandStride: bandStride,
                    inputBands: outputBands, inputChannels: self.channels)
    }

    /// Bands left after the stride: `⌈inputBands / bandStride⌉`.
    public var outputBands: Int { (inputBands + bandStride - 1) / bandStride }
    /// Values per input frame.
    public var inputSize: Int { inputChannels * inputBands }
    /// Values per output frame: the next convolution's or the first GRU layer's input size.
    public var outputSize: Int { channels * outputBands }
    /// Inputs each filter weighs: `[inputChannels, kernelFrames, kernelBands]`, row-major.
    public var patchSize: Int { inputChannels * kernelFrames * kernelBands }

    /// The largest sizes a model file may declare.
    static let limits = (channels: 256, kernel: 15, bandStride: 4)

    /// Checks every size.
    /// - Throws: ``ModelError/invalidArchitecture(_:)`` naming the field.
    func validate() throws {
        func check(_ value: Int, _ range: ClosedRange<Int>, _ name: String, odd: Bool = false) throws {
            guard range.contains(value), !odd || value % 2 == 1 else {
                throw ModelError.invalidArchitecture("convolution \(name) \(value) is not \(odd ? "an odd number in" : "within") \(range)")
            }
        }
        try check(channels, 1...Self.limits.channels, "channels")
        try check(inputChannels, 1...Self.limits.channels, "inputChannels")
        try check(kernelFrames, 1...Self.limits.kernel, "kernelFrames", odd: true)
        try check(kernelBands, 1...Self.limits.kernel, "kernelBands", odd: true)
        try check(bandStride, 1...Self.limits.bandStride, "bandStride")
        try check(inputBands, 1...ModelArchitecture.limits.inputSize, "inputBands")
    }

    /// Writes the patch of every output position: rows `t · outputBands + b` of
    /// `[frames · outputBands, patchSize]`, zeros where the kernel reaches past the input.
    func patches(_ input: UnsafePointer<Float>, frames: Int, into rows: UnsafeMutablePointer<Float>) {
        forEachPatchRun(frames: frames) { row, source, inside in
            let run = rows + row
            for db in 0..<inside.lowerBound { run[db] = 0 }
            for db in inside { run[db] = input[source + db * inputChannels] }
            for db in inside.upperBound..<kernelBands { run[db] = 0 }
        }
    }

    /// The adjoint of ``patches(_:frames:into:)``: adds each patch value's gradient `rows` to
    /// the gradient of the input value it was copied from.
    func addPatchGradient(_ rows: UnsafePointer<Float>, frames: Int, into input: UnsafeMutablePointer<Float>) {
        forEachPatchRun(frames: frames) { row, source, inside in
            for db in inside { input[source + db * inputChannels] += rows[row + db] }
        }
    }

    /// Calls `body(row, source, inside)` for every run of ``kernelBands`` patch values (one
    /// input channel of one input frame), in row order: patch value `row + db` comes from input
    /// value `source + db · inputChannels` for `db` in `inside`, and is past an edge (zero) for
    /// the other `db` in `0..<kernelBands` (`inside` is empty for a frame past either end).
    private func forEachPatchRun(frames: Int, _ body: (_ row: Int, _ source: Int, _ inside: Range<Int>) -> Void) {
        let frameReach = kernelFrames / 2, bandReach = kernelBands / 2
        var row = 0
        for t in 0..<frames {
            for band in 0..<outputBands {
                let firstBand = band * bandStride - bandReach
                let inside = max(0, -firstBand)..<max(max(0, -firstBand), min(kernelBands, inputBands - firstBand))
                for channel in 0..<inputChannels {
                    for dt in 0..<kernelFrames {
                        let source = t + dt - frameReach
                        let frameInside = source >= 0 && source < frames
                        body(row, (source * inputBands + firstBand) * inputChannels + channel, frameInside ? inside : 0..<0)
                        row += kernelBands
                    }
                }
            }
        }
    }

    /// `output[rows, channels] = max(0, patches · weightsᵀ + bias)`: the convolution of
    /// `rows` output positions (``patches(_:frames:into:)``).
    func apply(patches: UnsafePointer<Float>, rows: Int, weights: [Float], bias: [Float], into output: UnsafeMutablePointer<Float>) {
        BLAS.multiplyTransposed(patches, rows: rows, inner: patchSize, weights, outputs: channels, bias: bias, into: output)
        for i in 0..<rows * channels where output[i] < 0 { output[i] = 0 }
    }

    /// The convolution of one utterance `[frames, inputBands]`: `[frames, outputSize]`.
    public func forward(_ input: UnsafePointer<Float>, frames: Int, weights: [Float], bias: [Float]) -> [Float] {
        let rows = frames * outputBands
        var patchRows = [Float](repeating: 0, count: rows * patchSize)
        var output = [Float](repeating: 0, count: frames * outputSize)
        patchRows.withUnsafeMutableBufferPointer { patches(input, frames: frames, into: $0.baseAddress!) }
        patchRows.withUnsafeBufferPointer { p in
            output.withUnsafeMutableBufferPointer { apply(patches: p.baseAddress!, rows: rows, weights: weights, bias: bias, into: $0.baseAddress!) }
        }
        return output
    }
}
