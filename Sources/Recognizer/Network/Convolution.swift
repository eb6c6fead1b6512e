/// A 2-D convolution over time and mel bands, with ReLU, in front of the first GRU layer.
///
/// One input channel (the log-mel features `[T, bands]`), ``channels`` output channels; each
/// output value sees ``kernelFrames`` × ``kernelBands`` features centred on it (zero padding
/// at the edges, so no frame is lost) and the output keeps every ``bandStride``-th band. Frame
/// t of the output is `[outputBands × channels]`, band-major. The same filter runs at every
/// band, so a formant that a longer or shorter vocal tract moves a few bands up or down
/// excites the same channel a few positions away.
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
    /// Input bands: the model's input size.
    public var inputBands: Int

    /// Creates a convolution description.
    public init(channels: Int, kernelFrames: Int = 3, kernelBands: Int = 5, bandStride: Int = 2, inputBands: Int) {
        self.channels = channels
        self.kernelFrames = kernelFrames
        self.kernelBands = kernelBands
        self.bandStride = bandStride
        self.inputBands = inputBands
    }

    /// Bands left after the stride: `⌈inputBands / bandStride⌉`.
    public var outputBands: Int { (inputBands + bandStride - 1) / bandStride }
    /// Values per output frame: the first GRU layer's input size.
    public var outputSize: Int { channels * outputBands }
    /// Inputs each filter weighs.
    public var patchSize: Int { kernelFrames * kernelBands }

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
        try check(kernelFrames, 1...Self.limits.kernel, "kernelFrames", odd: true)
        try check(kernelBands, 1...Self.limits.kernel, "kernelBands", odd: true)
        try check(bandStride, 1...Self.limits.bandStride, "bandStride")
        try check(inputBands, 1...ModelArchitecture.limits.inputSize, "inputBands")
    }

    /// Writes the patch of every output position: rows `t · outputBands + b` of
    /// `[frames · outputBands, patchSize]`, zeros where the kernel reaches past the input.
    func patches(_ input: UnsafePointer<Float>, frames: Int, into rows: UnsafeMutablePointer<Float>) {
        let frameReach = kernelFrames / 2, bandReach = kernelBands / 2
        var row = rows
        for t in 0..<frames {
            for band in 0..<outputBands {
                let centre = band * bandStride
                for dt in 0..<kernelFrames {
                    let source = t + dt - frameReach
                    let target = row + dt * kernelBands
                    guard source >= 0 && source < frames else {
                        target.initialize(repeating: 0, count: kernelBands)
                        continue
                    }
                    for db in 0..<kernelBands {
                        let b = centre + db - bandReach
                        target[db] = b >= 0 && b < inputBands ? input[source * inputBands + b] : 0
                    }
                }
                row += patchSize
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
