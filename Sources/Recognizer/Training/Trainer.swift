import Dispatch
import Features
import Foundation

/// One training utterance: features and its transcript as alphabet classes.
package struct TrainingExample: Sendable {
    package var features: Matrix
    package var labels: [Int]

    /// Creates an example.
    package init(features: Matrix, labels: [Int]) {
        self.features = features
        self.labels = labels
    }
}

/// Minibatch gradient descent on an ``AcousticModel``: BPTT + CTC for every utterance (the
/// batch split over two threads, each running its half together), mean gradient, global-norm
/// clipping, an Adam update.
package final class Trainer {
    /// The model as trained so far.
    package private(set) var model: AcousticModel
    /// Gradients with a larger global norm are scaled down to it.
    package var maximumGradientNorm: Float
    /// Adam's state, saved in checkpoints.
    package private(set) var optimizer: AdamOptimizer
    /// Per tensor, whether it is a weight matrix (weight decay applies) rather than a bias.
    private let isWeightMatrix: [Bool]
    /// Tensors (by index in ``AcousticModel/tensors``) that are not updated: their gradient is zeroed.
    package var frozen: Set<Int> = []

    /// Prepares training from a model's current weights, with a fresh optimizer or a saved one.
    package init(model: AcousticModel, optimizer: AdamOptimizer? = nil, maximumGradientNorm: Float = 5) {
        self.model = model
        self.maximumGradientNorm = maximumGradientNorm
        self.optimizer = optimizer ?? AdamOptimizer(like: model.tensors)
        isWeightMatrix = model.architecture.tensorShapes.map { $0.shape.count > 1 }
    }

    /// One update from a minibatch.
    /// - Parameters:
    ///   - batch: utterances of any lengths.
    ///   - learningRate: Adam's step size for this update.
    ///   - weightDecay: AdamW's decoupled decay of the weight matrices toward zero (biases are not
    ///     decayed), or of every tensor toward `anchor`.
    ///   - anchor: the weights to decay toward (a base model's, for fine-tuning), or nil.
    /// - Returns: the mean loss over the usable utterances (those whose transcript fits their
    ///   frames), how many there were, and the gradient norm before clipping.
    @discardableResult
    package func step(_ batch: [TrainingExample], learningRate: Float, weightDecay: Float = 0,
                      anchor: [[Float]]? = nil) -> (loss: Float, used: Int, gradientNorm: Float) {
        var parts = halfGradients(batch)
        let used = parts.reduce(0) { $0 + $1.used }
        guard used > 0 else { return (0, 0, 0) }
        // The mean of the two halves' gradients and each tensor's squared norm, on both cores.
        var gradient = parts[0].gradient
        parts[0].gradient = []  // the sum is written in place
        let other = parts[1].gradient, scale = 1 / Float(used), frozen = frozen
        var squaredNorms = [Double](repeating: 0, count: gradient.count)
        gradient.withUnsafeMutableBufferPointer { sums in
            squaredNorms.withUnsafeMutableBufferPointer { squaredNorms in
                let (sums, squaredNorms) = (PassBuffer(sums), PassBuffer(squaredNorms))
                TensorPasses.forEachTensor(counts: other.map(\.count)) { tensor in
                    other[tensor].withUnsafeBufferPointer { other in
                        sums.withValues(tensor) { sum in
                            let scale = frozen.contains(tensor) ? 0 : scale
                            for i in sum.indices { sum[i] = (sum[i] + other[i]) * scale }
                            squaredNorms.elements[tensor] = GradientClipping.squaredNorm(UnsafeBufferPointer(sum))
                        }
                    }
                }
            }
        }
        let norm = GradientClipping.globalNorm(squaredNorms: squaredNorms)
        let decays = weightDecay > 0 ? isWeightMatrix.map { $0 || anchor != nil ? weightDecay : 0 } : []
        model.modifyTensors { tensors in
            optimizer.update(&tensors, gradient: gradient, learningRate: learningRate, weightDecay: decays, anchor: anchor ?? [],
                             gradientScale: GradientClipping.scale(norm: norm, maximumNorm: maximumGradientNorm))
        }
        return ((parts[0].loss + parts[1].loss) / Float(used), used, norm)
    }

    /// Each thread's half of the batch: its summed gradient, summed loss and usable utterances.
    /// (The network copy it runs is gone when this returns, so the update writes the weights in place.)
    private func halfGradients(_ batch: [TrainingExample]) -> [(gradient: [[Float]], loss: Float, used: Int)] {
        let backpropagation = Backpropagation(model: model)
        // Longest first, each to the thread with fewer frames so far: both finish together.
        var assigned: [[(offset: Int, element: TrainingExample)]] = [[], []]
        var load = [0, 0]
        let longestFirst = batch.enumerated().sorted { a, b in
            a.element.features.rows != b.element.features.rows ? a.element.features.rows > b.element.features.rows : a.offset < b.offset
        }
        for item in longestFirst {
            let half = load[0] <= load[1] ? 0 : 1
            assigned[half].append(item)
            load[half] += item.element.features.rows
        }
        let halves = assigned
        let results = PartialResults(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            var gradient = Backpropagation.zeroGradient(like: backpropagation.model)
            let losses = backpropagation.accumulate(halves[half].map(\.element), into: &gradient).compactMap { $0 }
            let loss = losses.reduce(0, +), used = losses.count
            results.store(half, (gradient, loss, used))
        }
        return results.take()
    }
}

/// The two threads' gradients, losses and counts.
private final class PartialResults: @unchecked Sendable {
    // Safe: each thread writes its own slot under the lock; `take` is called after both finish.
    private let lock = NSLock()
    private var slots: [(gradient: [[Float]], loss: Float, used: Int)?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ value: (gradient: [[Float]], loss: Float, used: Int)) {
        lock.withLock { slots[index] = value }
    }

    /// Both threads' results, moved out (the slots are emptied, so the caller holds the only copy).
    func take() -> [(gradient: [[Float]], loss: Float, used: Int)] {
        lock.withLock {
            defer { slots = Array(repeating: nil, count: slots.count) }
            return slots.map { $0! }
        }
    }
}
