import Features
import Foundation

/// Connectionist temporal classification loss (Graves et al. 2006) by the forward–backward
/// algorithm in log space, with its gradient with respect to the logits.
package enum CTCLoss {
    /// The loss −log p(labels | input) and ∂loss/∂logits.
    /// - Parameters:
    ///   - logProbabilities: `[T, classes]`, rows log-softmax of the logits; class 0 is blank.
    ///   - labels: the target classes (no blanks); may be empty.
    /// - Returns: nil when no alignment fits (more labels, with the blanks repeats need, than
    ///   frames); otherwise the loss and the gradient `[T, classes]`, which is
    ///   `softmax − posterior occupancy` because the rows are a log-softmax.
    package static func lossAndGradient(_ logProbabilities: Matrix, labels: [Int]) -> (loss: Float, gradient: Matrix)? {
        let frames = logProbabilities.rows, classes = logProbabilities.columns
        let extended = [Alphabet.blank] + labels.flatMap { [$0, Alphabet.blank] }
        let states = extended.count
        let repeats = zip(labels, labels.dropFirst()).filter { $0 == $1 }.count
        guard frames >= labels.count + repeats, frames > 0 else { return nil }
        func lp(_ t: Int, _ s: Int) -> Double { Double(logProbabilities[t, extended[s]]) }
        func canSkip(_ s: Int) -> Bool { s >= 2 && extended[s] != Alphabet.blank && extended[s] != extended[s - 2] }

        var alpha = [Double](repeating: -.infinity, count: frames * states)
        var beta = alpha
        alpha[0] = lp(0, 0)
        if states > 1 { alpha[1] = lp(0, 1) }
        for t in 1..<max(1, frames) {
            for s in 0..<states {
                var value = alpha[(t - 1) * states + s]
                if s >= 1 { value = logAdd(value, alpha[(t - 1) * states + s - 1]) }
                if canSkip(s) { value = logAdd(value, alpha[(t - 1) * states + s - 2]) }
                alpha[t * states + s] = value == -.infinity ? value : value + lp(t, s)
            }
        }
        let last = (frames - 1) * states
        beta[last + states - 1] = lp(frames - 1, states - 1)
        if states > 1 { beta[last + states - 2] = lp(frames - 1, states - 2) }
        for t in stride(from: frames - 2, through: 0, by: -1) {
            for s in 0..<states {
                var value = beta[(t + 1) * states + s]
                if s + 1 < states { value = logAdd(value, beta[(t + 1) * states + s + 1]) }
                if s + 2 < states && canSkip(s + 2) { value = logAdd(value, beta[(t + 1) * states + s + 2]) }
                beta[t * states + s] = value == -.infinity ? value : value + lp(t, s)
            }
        }
        var logLikelihood = alpha[last + states - 1]
        if states > 1 { logLikelihood = logAdd(logLikelihood, alpha[last + states - 2]) }
        guard logLikelihood.isFinite else { return nil }

        var gradient = Matrix(rows: frames, columns: classes)
        for t in 0..<frames {
            for c in 0..<classes { gradient[t, c] = Float(exp(Double(logProbabilities[t, c]))) }
            // Occupancy of each class: Σ over states with that label of α β / (p(t, k) P).
            var occupancy = [Int: Double]()
            for s in 0..<states {
                let a = alpha[t * states + s], b = beta[t * states + s]
                guard a.isFinite && b.isFinite else { continue }
                occupancy[extended[s], default: 0] += exp(a + b - lp(t, s) - logLikelihood)
            }
            for (c, value) in occupancy { gradient[t, c] -= Float(value) }
        }
        let loss = -logLikelihood
        return (Float(loss), gradient)
    }

    private static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return max(a, b) + log1p(exp(-abs(a - b)))
    }
}
