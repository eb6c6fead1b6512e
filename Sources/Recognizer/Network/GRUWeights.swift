/// The weights of one direction of one GRU layer, PyTorch layout: gate blocks r, z, n.
public struct GRUWeights: Sendable, Hashable {
    /// `[3H, input]`, row-major.
    public var inputWeights: [Float]
    /// `[3H, H]`, row-major.
    public var hiddenWeights: [Float]
    /// `[3H]`: b_ir, b_iz, b_in.
    public var inputBias: [Float]
    /// `[3H]`: b_hr, b_hz, b_hn (b_hn sits inside the reset gate's product).
    public var hiddenBias: [Float]

    /// Zero weights for a direction of `hiddenSize` units reading `inputSize` values.
    public init(inputSize: Int, hiddenSize: Int) {
        inputWeights = [Float](repeating: 0, count: 3 * hiddenSize * inputSize)
        hiddenWeights = [Float](repeating: 0, count: 3 * hiddenSize * hiddenSize)
        inputBias = [Float](repeating: 0, count: 3 * hiddenSize)
        hiddenBias = [Float](repeating: 0, count: 3 * hiddenSize)
    }

    /// W_hh as `[H, 3H]`: OpenBLAS multiplies states by this layout faster than by W_hh itself
    /// (see ``DirectionTrace`` and ``DirectionRunner``). Computed once per model by their owners.
    var hiddenWeightsTransposed: [Float] {
        let h = hiddenBias.count / 3
        return hiddenWeights.transposed(rows: 3 * h, columns: h)
    }
}
