import Dispatch
import Features

/// Runs an ``AcousticModel`` forward: features `[T, input]` in, log-probabilities
/// `[T, classes]` out.
///
/// A model's convolutions run first, each one `cblas_sgemm` over the whole utterance (their
/// buffers are allocated per call).
/// Per layer and direction the input projection of all frames is one `cblas_sgemm`; the
/// recurrence is a loop of `cblas_sgemv` plus vectorised gates, with no allocation. With two
/// threads the forward and backward directions run at the same time. Buffers are kept
/// between calls and grow with the longest input seen. Not thread-safe: one session per
/// thread.
public final class InferenceSession {
    /// The model this session runs.
    public let model: AcousticModel
    /// 1 runs everything on the calling thread; 2 runs the two directions concurrently.
    public let threadCount: Int
    private let directions: [DirectionRunner]
    /// Each layer's and direction's W_hh as `[H, 3H]` (see ``DirectionRunner/run``).
    private let hiddenWeightsTransposed: [[[Float]]]
    /// Two `[capacity, 2H]` buffers: layer k reads one and writes the other.
    private var activations: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    private var capacity = 0

    /// Prepares a session.
    /// - Parameters:
    ///   - model: the model to run.
    ///   - threadCount: 1, or 2 to run the two directions of each layer concurrently.
    public init(model: AcousticModel, threadCount: Int = 1) {
        BLAS.useSingleThread()
        self.model = model
        self.threadCount = max(1, min(2, threadCount))
        directions = (0..<2).map { _ in DirectionRunner(hiddenSize: model.architecture.hiddenSize) }
        hiddenWeightsTransposed = model.layers.map { $0.map(\.hiddenWeightsTransposed) }
        activations = (.allocate(capacity: 0), .allocate(capacity: 0))
    }

    deinit {
        activations.0.deallocate()
        activations.1.deallocate()
    }

    /// Log-probabilities of every class at every frame.
    /// - Parameter features: `[T, inputSize]`.
    /// - Returns: `[⌈T / timeReduction⌉, classCount]`, each row a log-softmax.
    public func logProbabilities(_ features: Matrix) -> Matrix {
        run(features, keepingLayerOutputs: false).logProbabilities
    }

    /// Runs the model and also returns each GRU layer's output `[frames, 2H]` (forward ‖ backward;
    /// the first layer's before its time reduction).
    /// - Parameters:
    ///   - features: `[T, inputSize]`.
    ///   - keepingLayerOutputs: copy out every layer's output (for debugging and tests).
    public func run(_ features: Matrix, keepingLayerOutputs: Bool) -> (logProbabilities: Matrix, layerOutputs: [Matrix]) {
        let a = model.architecture
        precondition(features.columns == a.inputSize, "model reads \(a.inputSize) values per frame, got \(features.columns)")
        let width = 2 * a.hiddenSize
        var frames = features.rows
        reserve(frames: frames)
        var layerOutputs: [Matrix] = []
        var result = Matrix(rows: a.reducedFrames(frames), columns: a.classCount)
        let firstInput = a.convolutions.indices.reduce(features.values) { input, index in
            input.withUnsafeBufferPointer {
                a.convolutions[index].forward($0.baseAddress!, frames: frames, weights: model.convolutionWeights[index],
                                              bias: model.convolutionBiases[index])
            }
        }
        firstInput.withUnsafeBufferPointer { featureBuffer in
            var input = UnsafePointer(featureBuffer.baseAddress!)
            var (output, spare) = activations
            for layer in 0..<a.layerCount {
                let inputSize = a.layerInputSize(layer), weights = model.layers[layer], runners = directions
                let transposed = hiddenWeightsTransposed[layer]
                let layerInput = SharedBuffer(input), layerOutput = SharedBuffer(UnsafePointer(output)), layerFrames = frames
                let body: @Sendable (Int) -> Void = { direction in
                    runners[direction].run(
                        weights[direction], hiddenWeightsTransposed: transposed[direction], input: layerInput.pointer,
                        inputSize: inputSize, frames: layerFrames, reverse: direction == 1,
                        output: UnsafeMutablePointer(mutating: layerOutput.pointer) + direction * a.hiddenSize, outputStride: width)
                }
                if threadCount == 2 && frames > 1 {
                    DispatchQueue.concurrentPerform(iterations: 2, execute: body)
                } else {
                    body(0)
                    body(1)
                }
                if keepingLayerOutputs {
                    layerOutputs.append(Matrix(rows: frames, columns: width, values: Array(UnsafeBufferPointer(start: output, count: frames * width))))
                }
                if layer == 0 { frames = TimeReduction.average(output, frames: frames, width: width, factor: a.timeReduction) }
                input = UnsafePointer(output)
                swap(&output, &spare)
            }
            result.values.withUnsafeMutableBufferPointer { logits in
                BLAS.multiplyTransposed(input, rows: frames, inner: width, model.outputWeights, outputs: a.classCount,
                                        bias: model.outputBias, into: logits.baseAddress!)
                Activations.logSoftmaxRows(logits.baseAddress!, rows: frames, columns: a.classCount)
            }
        }
        return (result, layerOutputs)
    }

    private func reserve(frames: Int) {
        guard frames > capacity else { return }
        capacity = max(frames, 2 * capacity)
        let size = capacity * 2 * model.architecture.hiddenSize
        activations.0.deallocate()
        activations.1.deallocate()
        activations = (.allocate(capacity: size), .allocate(capacity: size))
        for runner in directions { runner.reserve(frames: capacity) }
    }
}

/// A buffer address handed to the two direction threads.
struct SharedBuffer: @unchecked Sendable {
    // Safe: both threads read the same input and write disjoint columns of the output,
    // and the session waits for both before touching either buffer again.
    let pointer: UnsafePointer<Float>
    init(_ pointer: UnsafePointer<Float>) { self.pointer = pointer }
}

/// Runs one direction of a GRU layer; owns its projection, product and state buffers so the
/// two directions can run on two threads.
final class DirectionRunner: @unchecked Sendable {
    // Sendable by confinement: each runner is used by one thread at a time (the session
    // hands direction 0 and direction 1 to different threads, never the same runner).
    let hiddenSize: Int
    private var projection: UnsafeMutablePointer<Float>
    private let hiddenProduct: UnsafeMutablePointer<Float>
    private let state: UnsafeMutablePointer<Float>

    init(hiddenSize: Int) {
        self.hiddenSize = hiddenSize
        projection = .allocate(capacity: 0)
        hiddenProduct = .allocate(capacity: 3 * hiddenSize)
        state = .allocate(capacity: hiddenSize)
    }

    deinit {
        projection.deallocate()
        hiddenProduct.deallocate()
        state.deallocate()
    }

    func reserve(frames: Int) {
        projection.deallocate()
        projection = .allocate(capacity: frames * 3 * hiddenSize)
    }

    /// One direction over all frames; writes h_t at `output + t * outputStride`.
    ///
    /// W_hh h is computed as (W_hhᵀ)ᵀ h from `hiddenWeightsTransposed` (`[H, 3H]`): OpenBLAS's
    /// `sgemv` reads that layout ~25 % faster than W_hh itself (its rounding differs in the last
    /// bit; the shipped model's words on the dev, digit and unseen-voice sets are the same).
    func run(_ w: GRUWeights, hiddenWeightsTransposed: [Float], input: UnsafePointer<Float>, inputSize: Int, frames: Int,
             reverse: Bool, output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let h = hiddenSize, gates = 3 * hiddenSize
        guard frames > 0 else { return }
        let x = projection, gh = hiddenProduct, s = state
        // x_t · W_ihᵀ + b_ih for every frame at once.
        BLAS.multiplyTransposed(input, rows: frames, inner: inputSize, w.inputWeights, outputs: gates, bias: w.inputBias, into: x)
        s.initialize(repeating: 0, count: h)
        gh.initialize(repeating: 0, count: gates)
        hiddenWeightsTransposed.withUnsafeBufferPointer { whT in
            w.hiddenBias.withUnsafeBufferPointer { bh in
                for step in 0..<frames {
                    let t = reverse ? frames - 1 - step : step
                    if step > 0 { BLAS.multiplyTransposedVector(whT.baseAddress!, rows: h, columns: gates, s, into: gh) }
                    GRUCell.update(state: s, projection: x + t * gates, hiddenProduct: gh, hiddenBias: bh.baseAddress!, hiddenSize: h)
                    (output + t * outputStride).update(from: s, count: h)
                }
            }
        }
    }
}

/// The GRU gate arithmetic for one time step, eight units at a time.
enum GRUCell {
    /// h ← (1 − z) ⊙ n + z ⊙ h, with r, z, n from the input projection (input bias included)
    /// and W_hh h (hidden bias added here; b_hn sits inside the reset gate's product).
    @inline(__always)
    static func update(state h: UnsafeMutablePointer<Float>, projection x: UnsafePointer<Float>,
                       hiddenProduct gh: UnsafePointer<Float>, hiddenBias bh: UnsafePointer<Float>, hiddenSize size: Int) {
        var j = 0
        while j < size {
            let r = Activations.sigmoid(Activations.load(x + j) + Activations.load(gh + j) + Activations.load(bh + j))
            let z = Activations.sigmoid(Activations.load(x + size + j) + Activations.load(gh + size + j)
                                        + Activations.load(bh + size + j))
            let n = Activations.tanh(Activations.load(x + 2 * size + j)
                                     + r * (Activations.load(gh + 2 * size + j) + Activations.load(bh + 2 * size + j)))
            let previous = Activations.load(h + j)
            Activations.store(n + z * (previous - n), h + j)
            j += 8
        }
    }
}
