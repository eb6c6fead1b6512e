import Features
import Foundation

/// Backpropagation through time for an ``AcousticModel``: the forward pass keeping every
/// gate, then gradients of the CTC loss for every tensor of every layer and direction.
///
/// One utterance at a time, so a minibatch of different lengths needs no padding: its
/// gradient is the sum of its utterances' gradients.
public struct Backpropagation: Sendable {
    /// The model whose gradient is computed.
    public let model: AcousticModel

    /// Prepares backpropagation for a model.
    public init(model: AcousticModel) {
        BLAS.useSingleThread()
        self.model = model
    }

    /// Zero gradients shaped like ``AcousticModel/tensors``.
    public static func zeroGradient(like model: AcousticModel) -> [[Float]] {
        model.tensors.map { [Float](repeating: 0, count: $0.count) }
    }

    /// The CTC loss of one utterance; adds its gradient to `gradient`.
    /// - Parameters:
    ///   - features: `[T, inputSize]`.
    ///   - labels: target classes (no blanks).
    ///   - gradient: tensors in ``AcousticModel/tensors`` order; the utterance's gradient is added.
    ///   - dropout: if given, the dropout applied to every GRU layer's output in this pass.
    /// - Returns: the loss, or nil (gradient untouched) when the labels cannot fit in the output frames (T, or ⌈T / timeReduction⌉).
    public func accumulate(features: Matrix, labels: [Int], into gradient: inout [[Float]], dropout: Dropout? = nil) -> Float? {
        let a = model.architecture
        precondition(features.columns == a.inputSize, "model reads \(a.inputSize) values per frame, got \(features.columns)")
        let frames = features.rows, width = 2 * a.hiddenSize, reduced = a.reducedFrames(frames)
        func frameCount(_ layer: Int) -> Int { layer == 0 ? frames : reduced }
        // Forward, keeping each layer's input and each direction's gates.
        var inputs: [[Float]] = [features.values]
        var traces: [[DirectionTrace]] = []
        var masks: [[Float]] = []
        var maskGenerator = SeededGenerator(seed: dropout?.seed ?? 0)
        for layer in 0..<a.layerCount {
            let layerFrames = frameCount(layer)
            var output = [Float](repeating: 0, count: layerFrames * width)
            var layerTraces: [DirectionTrace] = []
            for direction in 0..<2 {
                let trace = DirectionTrace(weights: model.layers[layer][direction], input: inputs[layer],
                                           inputSize: a.layerInputSize(layer), frames: layerFrames, reverse: direction == 1)
                for t in 0..<layerFrames {
                    for j in 0..<a.hiddenSize { output[t * width + direction * a.hiddenSize + j] = trace[.hidden, t * a.hiddenSize + j] }
                }
                layerTraces.append(trace)
            }
            traces.append(layerTraces)
            if let dropout, dropout.rate > 0 {
                let mask = dropout.mask(count: output.count, using: &maskGenerator)
                for i in output.indices { output[i] *= mask[i] }
                masks.append(mask)
            }
            if layer == 0 && reduced < frames {
                output.withUnsafeMutableBufferPointer {
                    _ = TimeReduction.average($0.baseAddress!, frames: frames, width: width, factor: a.timeReduction)
                }
                output.removeLast((frames - reduced) * width)
            }
            inputs.append(output)
        }
        var logits = Matrix(rows: reduced, columns: a.classCount)
        inputs[a.layerCount].withUnsafeBufferPointer { hidden in
            logits.values.withUnsafeMutableBufferPointer { out in
                BLAS.multiplyTransposed(hidden.baseAddress!, rows: reduced, inner: width, model.outputWeights,
                                        outputs: a.classCount, bias: model.outputBias, into: out.baseAddress!)
                Activations.logSoftmaxRows(out.baseAddress!, rows: reduced, columns: a.classCount)
            }
        }
        guard let (loss, logitGradient) = CTCLoss.lossAndGradient(logits, labels: labels) else { return nil }

        // Output layer: dW = dLᵀ · H, db = Σ dL, dH = dL · W.
        let tensorCount = gradient.count
        var upstream = [Float](repeating: 0, count: reduced * width)
        logitGradient.values.withUnsafeBufferPointer { dl in
            inputs[a.layerCount].withUnsafeBufferPointer { hidden in
                gradient[tensorCount - 2].withUnsafeMutableBufferPointer { dw in
                    BLAS.multiply(dl.baseAddress!, transposingA: true, hidden.baseAddress!, transposingB: false,
                                  m: a.classCount, n: width, k: reduced, beta: 1, into: dw.baseAddress!)
                }
            }
            model.outputWeights.withUnsafeBufferPointer { w in
                upstream.withUnsafeMutableBufferPointer { dh in
                    BLAS.multiply(dl.baseAddress!, transposingA: false, w.baseAddress!, transposingB: false,
                                  m: reduced, n: width, k: a.classCount, beta: 0, into: dh.baseAddress!)
                }
            }
        }
        for t in 0..<reduced {
            for c in 0..<a.classCount { gradient[tensorCount - 1][c] += logitGradient[t, c] }
        }

        // GRU layers, last to first; each passes the gradient of its input down.
        for layer in stride(from: a.layerCount - 1, through: 0, by: -1) {
            let inputSize = a.layerInputSize(layer)
            if layer == 0 { upstream = TimeReduction.spread(upstream, frames: frames, width: width, factor: a.timeReduction) }
            if layer < masks.count {
                for i in upstream.indices { upstream[i] *= masks[layer][i] }
            }
            var inputGradient = [Float](repeating: 0, count: frameCount(layer) * inputSize)
            for direction in 0..<2 {
                let base = (layer * 2 + direction) * 4
                var (dWi, dWh, dBi, dBh) = (gradient[base], gradient[base + 1], gradient[base + 2], gradient[base + 3])
                traces[layer][direction].backward(
                    weights: model.layers[layer][direction], input: inputs[layer], inputSize: inputSize,
                    outputGradient: upstream, outputStride: width, outputOffset: direction * a.hiddenSize,
                    inputWeights: &dWi, hiddenWeights: &dWh, inputBias: &dBi, hiddenBias: &dBh, inputGradient: &inputGradient)
                (gradient[base], gradient[base + 1], gradient[base + 2], gradient[base + 3]) = (dWi, dWh, dBi, dBh)
            }
            upstream = inputGradient
        }
        return loss
    }
}

/// Inverted dropout (Srivastava et al. 2014) on the output of every GRU layer during training:
/// each value is zeroed with probability `rate` and the rest scaled by `1 / (1 − rate)`, so
/// inference needs no change.
public struct Dropout: Sendable, Hashable {
    /// The share of values zeroed, in [0, 1).
    public var rate: Float
    /// The seed of this pass's masks.
    public var seed: UInt64

    /// Dropout with a rate and the seed of its masks.
    public init(rate: Float, seed: UInt64) {
        self.rate = rate
        self.seed = seed
    }

    /// `count` values, each 0 or `1 / (1 − rate)`.
    func mask(count: Int, using generator: inout SeededGenerator) -> [Float] {
        let kept = 1 / (1 - rate)
        return (0..<count).map { _ in Float.random(in: 0..<1, using: &generator) < rate ? 0 : kept }
    }
}

/// One direction's forward pass with every gate kept, `[T, H]` each, indexed by frame.
struct DirectionTrace {
    /// The six `[T, H]` arrays the backward pass needs, stored one after another.
    enum Slot: Int, CaseIterable {
        /// h_t.
        case hidden
        /// The state before frame t's update.
        case previous
        case reset, update, candidate
        /// W_hn h + b_hn, which the reset gate multiplies.
        case hiddenCandidate
    }

    let hiddenSize: Int
    let frames: Int
    let reverse: Bool
    private(set) var storage: [Float]

    /// The value of `slot` for unit `index = t * H + j`.
    subscript(_ slot: Slot, _ index: Int) -> Float { storage[slot.rawValue * frames * hiddenSize + index] }

    init(weights w: GRUWeights, input: [Float], inputSize: Int, frames: Int, reverse: Bool) {
        let h = w.hiddenBias.count / 3, gates = 3 * h, size = frames * h
        hiddenSize = h
        self.frames = frames
        self.reverse = reverse
        storage = [Float](repeating: 0, count: Slot.allCases.count * size)
        var projection = [Float](repeating: 0, count: frames * gates)
        input.withUnsafeBufferPointer { x in
            projection.withUnsafeMutableBufferPointer { p in
                BLAS.multiplyTransposed(x.baseAddress!, rows: frames, inner: inputSize, w.inputWeights, outputs: gates,
                                        bias: w.inputBias, into: p.baseAddress!)
            }
        }
        var state = [Float](repeating: 0, count: h)
        var product = [Float](repeating: 0, count: gates)
        w.hiddenWeights.withUnsafeBufferPointer { wh in
            w.hiddenBias.withUnsafeBufferPointer { bh in
                projection.withUnsafeBufferPointer { x in
                    state.withUnsafeMutableBufferPointer { s in
                        product.withUnsafeMutableBufferPointer { g in
                            storage.withUnsafeMutableBufferPointer { kept in
                                for step in 0..<frames {
                                    let t = reverse ? frames - 1 - step : step
                                    BLAS.multiplyVector(wh.baseAddress!, rows: gates, columns: h, s.baseAddress!, into: g.baseAddress!)
                                    Self.step(kept: kept.baseAddress! + t * h, slotStride: size, hiddenSize: h, state: s.baseAddress!,
                                              projection: x.baseAddress! + t * gates, hiddenProduct: g.baseAddress!,
                                              hiddenBias: bh.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The gate arithmetic of one step, eight units at a time: the formulas of ``GRUCell``
    /// with every intermediate written to its slot (`kept + slot * slotStride`).
    @inline(__always)
    private static func step(kept: UnsafeMutablePointer<Float>, slotStride: Int, hiddenSize size: Int,
                             state: UnsafeMutablePointer<Float>, projection x: UnsafePointer<Float>,
                             hiddenProduct gh: UnsafePointer<Float>, hiddenBias bh: UnsafePointer<Float>) {
        func slot(_ s: Slot) -> UnsafeMutablePointer<Float> { kept + s.rawValue * slotStride }
        let (hidden, previous, reset, update) = (slot(.hidden), slot(.previous), slot(.reset), slot(.update))
        let (candidate, hiddenCandidate) = (slot(.candidate), slot(.hiddenCandidate))
        var j = 0
        while j < size {
            let r = Activations.sigmoid(Activations.load(x + j) + Activations.load(gh + j) + Activations.load(bh + j))
            let z = Activations.sigmoid(Activations.load(x + size + j) + Activations.load(gh + size + j)
                                        + Activations.load(bh + size + j))
            let hn = Activations.load(gh + 2 * size + j) + Activations.load(bh + 2 * size + j)
            let n = Activations.tanh(Activations.load(x + 2 * size + j) + r * hn)
            let before = Activations.load(state + j)
            let after = n + z * (before - n)
            Activations.store(before, previous + j)
            Activations.store(r, reset + j)
            Activations.store(z, update + j)
            Activations.store(n, candidate + j)
            Activations.store(hn, hiddenCandidate + j)
            Activations.store(after, hidden + j)
            Activations.store(after, state + j)
            j += 8
        }
    }

    /// Backpropagates `outputGradient` (columns `outputOffset ..< +H` of a `[T, outputStride]`
    /// matrix) through time; adds weight gradients and the gradient of the input.
    func backward(weights w: GRUWeights, input: [Float], inputSize: Int, outputGradient: [Float], outputStride: Int,
                  outputOffset: Int, inputWeights dWi: inout [Float], hiddenWeights dWh: inout [Float],
                  inputBias dBi: inout [Float], hiddenBias dBh: inout [Float], inputGradient dX: inout [Float]) {
        let h = hiddenSize, gates = 3 * h
        var dProjection = [Float](repeating: 0, count: frames * gates)   // ∂/∂(W_ih x + b_ih)
        var dProduct = [Float](repeating: 0, count: frames * gates)      // ∂/∂(W_hh h + b_hh)
        var carried = [Float](repeating: 0, count: h)                    // ∂/∂h from later steps
        var next = carried                                               // ∂/∂h for the step before
        for step in stride(from: frames - 1, through: 0, by: -1) {
            let t = reverse ? frames - 1 - step : step
            for j in 0..<h {
                let i = t * h + j
                let dh = outputGradient[t * outputStride + outputOffset + j] + carried[j]
                let r = self[.reset, i], z = self[.update, i], n = self[.candidate, i]
                let dn = dh * (1 - z)
                let dz = dh * (self[.previous, i] - n)
                let dan = dn * (1 - n * n)
                let dar = dan * self[.hiddenCandidate, i] * r * (1 - r)
                let daz = dz * z * (1 - z)
                dProjection[t * gates + j] = dar
                dProjection[t * gates + h + j] = daz
                dProjection[t * gates + 2 * h + j] = dan
                dProduct[t * gates + j] = dar
                dProduct[t * gates + h + j] = daz
                dProduct[t * gates + 2 * h + j] = dan * r
                next[j] = dh * z
            }
            // ∂h_{t−1} += W_hhᵀ · ∂(W_hh h + b_hh).
            w.hiddenWeights.withUnsafeBufferPointer { wh in
                dProduct.withUnsafeBufferPointer { dp in
                    next.withUnsafeMutableBufferPointer { n in
                        BLAS.multiplyTransposedVector(wh.baseAddress!, rows: gates, columns: h, dp.baseAddress! + t * gates, adding: n.baseAddress!)
                    }
                }
            }
            swap(&carried, &next)
        }
        // Weight gradients over all frames at once.
        dProjection.withUnsafeBufferPointer { dp in
            input.withUnsafeBufferPointer { x in
                dWi.withUnsafeMutableBufferPointer { dw in
                    BLAS.multiply(dp.baseAddress!, transposingA: true, x.baseAddress!, transposingB: false,
                                  m: gates, n: inputSize, k: frames, beta: 1, into: dw.baseAddress!)
                }
            }
            w.inputWeights.withUnsafeBufferPointer { wi in
                dX.withUnsafeMutableBufferPointer { dx in
                    BLAS.multiply(dp.baseAddress!, transposingA: false, wi.baseAddress!, transposingB: false,
                                  m: frames, n: inputSize, k: gates, beta: 1, into: dx.baseAddress!)
                }
            }
        }
        dProduct.withUnsafeBufferPointer { dp in
            storage.withUnsafeBufferPointer { kept in
                dWh.withUnsafeMutableBufferPointer { dw in
                    BLAS.multiply(dp.baseAddress!, transposingA: true, kept.baseAddress! + Slot.previous.rawValue * frames * h,
                                  transposingB: false,
                                  m: gates, n: h, k: frames, beta: 1, into: dw.baseAddress!)
                }
            }
        }
        for t in 0..<frames {
            for g in 0..<gates {
                dBi[g] += dProjection[t * gates + g]
                dBh[g] += dProduct[t * gates + g]
            }
        }
    }
}
