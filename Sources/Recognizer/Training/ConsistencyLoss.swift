import Features
import Foundation

/// Consistency regularisation of CTC (CR-CTC, Yao et al. 2024): two differently augmented
/// views of one clip are each pulled towards the other's frame distributions, a
/// self-distillation that also keeps CTC's distributions from growing too peaked.
public enum ConsistencyLoss {
    /// Σₜ KL(qₜ ‖ pₜ) of a view's frame distributions p from the other view's q (held fixed,
    /// as a stop-gradient), and its gradient with respect to the view's logits.
    /// - Parameters:
    ///   - logProbabilities: `[T, classes]`, rows log-softmax of the view's logits.
    ///   - target: `[T, classes]`, rows log-softmax of the other view's logits.
    /// - Returns: the divergence and the gradient `[T, classes]`, `p − q` per frame.
    public static func lossAndGradient(_ logProbabilities: Matrix, target: Matrix) -> (loss: Float, gradient: Matrix) {
        precondition(logProbabilities.rows == target.rows && logProbabilities.columns == target.columns,
                     "both views need the same frames and classes")
        var loss = 0.0
        var gradient = Matrix(rows: logProbabilities.rows, columns: logProbabilities.columns)
        for i in logProbabilities.values.indices {
            let lp = Double(logProbabilities.values[i]), lq = Double(target.values[i])
            let q = exp(lq)
            loss += q * (lq - lp)
            gradient.values[i] = Float(exp(lp) - q)
        }
        return (Float(loss), gradient)
    }
}
