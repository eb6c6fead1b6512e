import Foundation

/// Adam (Kingma & Ba 2015) over a list of tensors, with bias correction.
public struct AdamOptimizer: Sendable, Codable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Updates taken so far.
    public private(set) var step = 0
    private var firstMoment: [[Float]]
    private var secondMoment: [[Float]]

    /// An optimizer for tensors shaped like `parameters`.
    public init(like parameters: [[Float]]) {
        firstMoment = parameters.map { [Float](repeating: 0, count: $0.count) }
        secondMoment = firstMoment
    }

    /// An optimizer resumed from saved moments (see ``TrainingCheckpoint``).
    public init(step: Int, firstMoment: [[Float]], secondMoment: [[Float]]) {
        precondition(firstMoment.map(\.count) == secondMoment.map(\.count), "moment shapes differ")
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// The running averages of the gradient and of its square, for saving.
    public var moments: (first: [[Float]], second: [[Float]]) { (firstMoment, secondMoment) }

    /// One update: `θ −= lr · (m̂ / (√v̂ + ε) + λ θ)`, with each tensor's weight decay λ
    /// decoupled from the gradient's moments (AdamW, Loshchilov & Hutter 2019).
    /// - Parameters:
    ///   - parameters: the tensors to update.
    ///   - gradient: their gradient, same shapes.
    ///   - learningRate: this step's rate (a schedule is the caller's).
    ///   - weightDecay: λ per tensor (none if empty).
    public mutating func update(_ parameters: inout [[Float]], gradient: [[Float]], learningRate: Float, weightDecay: [Float] = []) {
        precondition(parameters.count == gradient.count && parameters.count == firstMoment.count, "tensor lists differ")
        precondition(weightDecay.isEmpty || weightDecay.count == parameters.count, "one weight decay per tensor")
        step += 1
        let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        for tensor in parameters.indices {
            precondition(parameters[tensor].count == gradient[tensor].count, "tensor \(tensor) sizes differ")
            let decay = weightDecay.isEmpty ? 0 : weightDecay[tensor]
            // Raw buffers: this loop runs over every parameter once per update.
            gradient[tensor].withUnsafeBufferPointer { g in
                firstMoment[tensor].withUnsafeMutableBufferPointer { first in
                    secondMoment[tensor].withUnsafeMutableBufferPointer { second in
                        parameters[tensor].withUnsafeMutableBufferPointer { p in
                            for i in p.indices {
                                first[i] = beta1 * first[i] + (1 - beta1) * g[i]
                                second[i] = beta2 * second[i] + (1 - beta2) * g[i] * g[i]
                                let m = first[i] / correction1, v = second[i] / correction2
                                p[i] -= learningRate * (m / (v.squareRoot() + epsilon) + decay * p[i])
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Gradient clipping by global norm (Pascanu et al. 2013): exploding gradients are real for RNNs.
public enum GradientClipping {
    /// Scales every tensor so the norm over all of them is at most `maximumNorm`.
    /// - Returns: the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ gradient: inout [[Float]], maximumNorm: Float) -> Float {
        let norm = Float(gradient.reduce(0.0) { sum, tensor in tensor.reduce(sum) { $0 + Double($1) * Double($1) } }.squareRoot())
        if norm > maximumNorm && norm.isFinite {
            let scale = maximumNorm / norm
            for index in gradient.indices { gradient[index] = gradient[index].map { $0 * scale } }
        }
        return norm
    }
}
