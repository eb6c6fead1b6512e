import Foundation

/// An exponential moving average of the weights over the updates of a run (Polyak
/// averaging): the average is what gets scored and shipped, since the last weights of a
/// noisy run depend on its last few minibatches.
public struct WeightAverage: Sendable {
    /// Each update keeps this share of the average; 0.999 spans about a thousand updates.
    public var decay: Float
    /// The averaged tensors, in ``AcousticModel/tensors`` order.
    public private(set) var tensors: [[Float]]

    /// An average that starts at `tensors`.
    public init(decay: Float, tensors: [[Float]]) {
        self.decay = decay
        self.tensors = tensors
    }

    /// Moves the average towards the weights after an update.
    public mutating func update(with weights: [[Float]]) {
        precondition(weights.map(\.count) == tensors.map(\.count), "weights do not match the average")
        let decay = decay
        for index in tensors.indices {
            weights[index].withUnsafeBufferPointer { w in
                tensors[index].withUnsafeMutableBufferPointer { a in
                    for i in a.indices { a[i] = decay * a[i] + (1 - decay) * w[i] }
                }
            }
        }
    }
}
