import Foundation

/// An exponential moving average of the weights over the updates of a run (Polyak
/// averaging): the average is what gets scored and shipped, since the last weights of a
/// noisy run depend on its last few minibatches. It is bias-corrected like Adam's moments:
/// after n updates it is Σ decayⁿ⁻ᵏ wₖ / Σ decayⁿ⁻ᵏ over the updates' weights alone, so the
/// random initial weights leave no trace even when the average spans most of the run.
package struct WeightAverage: Sendable {
    /// Each update keeps this share of the average; 0.999 spans about a thousand updates.
    package var decay: Float
    /// The averaged tensors, in ``AcousticModel/tensors`` order.
    package private(set) var tensors: [[Float]]
    /// Updates averaged so far.
    package private(set) var updates: Int

    /// An average of `updates` updates so far whose value is `tensors` (with none, `tensors`
    /// is only a placeholder the first update replaces).
    package init(decay: Float, tensors: [[Float]], updates: Int = 0) {
        self.decay = decay
        self.tensors = tensors
        self.updates = updates
    }

    /// Moves the average towards the weights after an update: the share the old average keeps
    /// is decay · (1 − decayⁿ⁻¹) / (1 − decayⁿ) for the n-th update (0 for the first). Runs on
    /// both cores (``TensorPasses``).
    package mutating func update(with weights: [[Float]]) {
        precondition(weights.map(\.count) == tensors.map(\.count), "weights do not match the average")
        updates += 1
        let keptBefore = 1 - Self.power(decay, updates - 1), keptNow = 1 - Self.power(decay, updates)
        let share = Float(Double(decay) * keptBefore / keptNow)
        tensors.withUnsafeMutableBufferPointer { averages in
            let averages = PassBuffer(averages)
            TensorPasses.forEachTensor(counts: weights.map(\.count)) { index in
                weights[index].withUnsafeBufferPointer { w in
                    averages.withValues(index) { a in
                        for i in a.indices { a[i] = share * a[i] + (1 - share) * w[i] }
                    }
                }
            }
        }
    }

    private static func power(_ base: Float, _ exponent: Int) -> Double { pow(Double(base), Double(exponent)) }
}
