import Dispatch

/// Elementwise passes over a model's tensors on both cores (a training step's gradient sum,
/// Adam's update, the weight average: ~1.5 million values each, bound by memory).
///
/// Whole tensors are dealt to two threads by size, so each tensor's values see the same
/// arithmetic in the same order as in a serial loop, and the results are the same to the bit.
enum TensorPasses {
    /// Calls `body` once for every tensor index, on two threads; the tensors are dealt
    /// largest first, each to the thread with fewer values so far.
    /// - Parameters:
    ///   - counts: each tensor's number of values.
    ///   - body: the pass over one tensor; it may only write that tensor's values.
    static func forEachTensor(counts: [Int], _ body: @Sendable (Int) -> Void) {
        var shares: [[Int]] = [[], []], load = [0, 0]
        for tensor in counts.indices.sorted(by: { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }) {
            let thread = load[0] <= load[1] ? 0 : 1
            shares[thread].append(tensor)
            load[thread] += counts[tensor]
        }
        let dealt = shares
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for tensor in dealt[thread] { body(tensor) }
        }
    }
}

/// A buffer handed to the threads of a ``TensorPasses`` pass: a list of tensors, or one
/// result slot per tensor.
struct PassBuffer<Element>: @unchecked Sendable {
    // Safe: in a pass each element is read and written by one thread only (the one that has
    // its tensor), and the caller keeps the buffer alive and unmoved until the pass returns.
    let elements: UnsafeMutableBufferPointer<Element>

    init(_ elements: UnsafeMutableBufferPointer<Element>) { self.elements = elements }
}

extension PassBuffer where Element == [Float] {
    /// Tensor `index`'s values, writable.
    func withValues<Result>(_ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Result) -> Result {
        elements[index].withUnsafeMutableBufferPointer { body($0) }
    }
}
