import Foundation

/// Adam (Kingma & Ba 2015) over a list of tensors, with bias correction.
package struct AdamOptimizer: Sendable, Codable {
    package var beta1: Float = 0.9
    package var beta2: Float = 0.999
    package var epsilon: Float = 1e-8
    /// Updates taken so far.
    package private(set) var step = 0
    private var firstMoment: [[Float]]
    private var secondMoment: [[Float]]

    /// An optimizer for tensors shaped like `parameters`.
    package init(like parameters: [[Float]]) {
        firstMoment = parameters.map { [Float](repeating: 0, count: $0.count) }
        secondMoment = firstMoment
    }

    /// An optimizer resumed from saved moments (see ``TrainingCheckpoint``).
    package init(step: Int, firstMoment: [[Float]], secondMoment: [[Float]]) {
        precondition(firstMoment.map(\.count) == secondMoment.map(\.count), "moment shapes differ")
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// The running averages of the gradient and of its square, for saving.
    package var moments: (first: [[Float]], second: [[Float]]) { (firstMoment, secondMoment) }

    /// One update: `θ −= lr · (m̂ / (√v̂ + ε) + λ (θ − θ₀))`, with each tensor's weight decay λ
    /// decoupled from the gradient's moments (AdamW, Loshchilov & Hutter 2019). θ₀ is 0, or an
    /// anchor's weights: decay toward a starting point (L2-SP, Li et al. 2018), which keeps a
    /// fine-tuned model near the model it started from. The tensors are updated on two threads
    /// (``TensorPasses``), each tensor whole on one.
    /// - Parameters:
    ///   - parameters: the tensors to update.
    ///   - gradient: their gradient, same shapes.
    ///   - learningRate: this step's rate (a schedule is the caller's).
    ///   - weightDecay: λ per tensor (none if empty).
    ///   - anchor: θ₀, tensors shaped like `parameters` (decay toward 0 if empty).
    ///   - gradientScale: a factor on every gradient value first (a clipping's; 1 leaves them exact).
    package mutating func update(_ parameters: inout [[Float]], gradient: [[Float]], learningRate: Float, weightDecay: [Float] = [],
                                anchor: [[Float]] = [], gradientScale: Float = 1) {
        precondition(parameters.count == gradient.count && parameters.count == firstMoment.count, "tensor lists differ")
        precondition(weightDecay.isEmpty || weightDecay.count == parameters.count, "one weight decay per tensor")
        precondition(anchor.isEmpty || anchor.map(\.count) == parameters.map(\.count), "the anchor's tensors differ from the parameters'")
        for tensor in parameters.indices {
            precondition(parameters[tensor].count == gradient[tensor].count, "tensor \(tensor) sizes differ")
        }
        step += 1
        let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        parameters.withUnsafeMutableBufferPointer { parameters in
            firstMoment.withUnsafeMutableBufferPointer { firstMoment in
                secondMoment.withUnsafeMutableBufferPointer { secondMoment in
                    let (parameters, firstMoment, secondMoment) = (PassBuffer(parameters), PassBuffer(firstMoment), PassBuffer(secondMoment))
                    TensorPasses.forEachTensor(counts: gradient.map(\.count)) { tensor in
                        let decay = weightDecay.isEmpty ? 0 : weightDecay[tensor]
                        let origin: [Float] = anchor.isEmpty ? [] : anchor[tensor]
                        // Eight parameters at a time; each lane does the scalar arithmetic in the
                        // same order, so the result is the same to the bit.
                        gradient[tensor].withUnsafeBufferPointer { g in
                            firstMoment.withValues(tensor) { first in
                                secondMoment.withValues(tensor) { second in
                                    parameters.withValues(tensor) { p in origin.withUnsafeBufferPointer { origin in
                                        for start in stride(from: 0, to: p.count, by: 8) {
                                            let gv = Self.load(g, start) * gradientScale
                                            let fv = beta1 * Self.load(UnsafeBufferPointer(first), start) + (1 - beta1) * gv
                                            let sv = beta2 * Self.load(UnsafeBufferPointer(second), start) + (1 - beta2) * gv * gv
                                            var pv = Self.load(UnsafeBufferPointer(p), start)
                                            let m = fv / correction1, v = sv / correction2
                                            let offset = origin.isEmpty ? pv : pv - Self.load(origin, start)
                                            pv -= learningRate * (m / (v.squareRoot() + epsilon) + decay * offset)
                                            Self.store(fv, into: first, at: start)
                                            Self.store(sv, into: second, at: start)
                                            Self.store(pv, into: p, at: start)
                                        }
                                    } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Eight elements of `buffer` from `start`, zeros past its end.
    @inline(__always)
    private static func load(_ buffer: UnsafeBufferPointer<Float>, _ start: Int) -> SIMD8<Float> {
        if buffer.count - start >= 8 { return UnsafeRawPointer(buffer.baseAddress! + start).loadUnaligned(as: SIMD8<Float>.self) }
        var lanes = SIMD8<Float>()
        for lane in 0..<(buffer.count - start) { lanes[lane] = buffer[start + lane] }
        return lanes
    }

    /// Writes the lanes of `lanes` that fall inside `buffer` from `start` on.
    @inline(__always)
    private static func store(_ lanes: SIMD8<Float>, into buffer: UnsafeMutableBufferPointer<Float>, at start: Int) {
        if buffer.count - start >= 8 { return UnsafeMutableRawPointer(buffer.baseAddress! + start).storeBytes(of: lanes, as: SIMD8<Float>.self) }
        for lane in 0..<(buffer.count - start) { buffer[start + lane] = lanes[lane] }
    }
}

/// Gradient clipping by global norm (Pascanu et al. 2013): exploding gradients are real for RNNs.
package enum GradientClipping {
    /// Scales every tensor so the norm over all of them is at most `maximumNorm`.
    /// - Returns: the norm before clipping.
    @discardableResult
    package static func clipGlobalNorm(_ gradient: inout [[Float]], maximumNorm: Float) -> Float {
        let norm = globalNorm(squaredNorms: gradient.map { $0.withUnsafeBufferPointer(squaredNorm) })
        let scale = scale(norm: norm, maximumNorm: maximumNorm)
        if scale != 1 { for index in gradient.indices { gradient[index] = gradient[index].map { $0 * scale } } }
        return norm
    }

    /// Σ x² over `values`, in double precision.
    static func squaredNorm(_ values: UnsafeBufferPointer<Float>) -> Double {
        // Four running sums: the additions of one wait for each other, those of four do not.
        var sums = SIMD4<Double>()
        var index = 0
        while index + 4 <= values.count {
            let lanes = SIMD4<Double>(Double(values[index]), Double(values[index + 1]), Double(values[index + 2]), Double(values[index + 3]))
            sums += lanes * lanes
            index += 4
        }
        while index < values.count {
            sums[0] += Double(values[index]) * Double(values[index])
            index += 1
        }
        return sums.sum()
    }

    /// The norm over all tensors from each tensor's ``squaredNorm(_:)``, added in order.
    static func globalNorm(squaredNorms: [Double]) -> Float { Float(squaredNorms.reduce(0, +).squareRoot()) }

    /// The factor that brings a gradient of norm `norm` down to `maximumNorm`: 1 when it is
    /// within it (or not finite: such a step is the loss's problem, not the clipping's).
    static func scale(norm: Float, maximumNorm: Float) -> Float { norm > maximumNorm && norm.isFinite ? maximumNorm / norm : 1 }
}
