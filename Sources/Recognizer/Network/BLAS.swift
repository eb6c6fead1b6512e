internal import CBLAS

/// The few OpenBLAS calls the network needs, with shapes spelled out.
enum BLAS {
    /// OpenBLAS would otherwise start its own thread pool and fight our threads for the cores.
    private static let singleThread: Void = { openblas_set_num_threads(1) }()

    static func useSingleThread() { _ = singleThread }

    /// `C[rows, outputs] = A[rows, inner] · Bᵀ + bias`, with B `[outputs, inner]` (`cblas_sgemm`);
    /// B's rows start `bStride` values apart (`inner` unless given). Without a bias the product
    /// replaces C, or is added to it when `accumulating`.
    @inline(__always)
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows: Int, inner: Int, _ b: UnsafePointer<Float>, bStride: Int? = nil,
                                   outputs: Int, bias: UnsafePointer<Float>?, into c: UnsafeMutablePointer<Float>,
                                   accumulating: Bool = false) {
        guard rows > 0 else { return }
        if let bias {
            for row in 0..<rows { (c + row * outputs).update(from: bias, count: outputs) }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inner),
                    1, a, Int32(inner), b, Int32(bStride ?? inner), bias == nil && !accumulating ? 0 : 1, c, Int32(outputs))
    }

}

extension BLAS {
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows: Int, inner: Int, _ b: [Float], outputs: Int,
                                   bias: [Float], into c: UnsafeMutablePointer<Float>) {
        b.withUnsafeBufferPointer { b in
            bias.withUnsafeBufferPointer { bias in
                multiplyTransposed(a, rows: rows, inner: inner, b.baseAddress!, outputs: outputs, bias: bias.baseAddress!, into: c)
            }
        }
    }
}

extension BLAS {
    /// `C[m, n] = op(A) · op(B) + beta · C` (`cblas_sgemm`), row-major; `op` transposes when asked.
    /// A is `[m, k]` (or `[k, m]` transposed), B is `[k, n]` (or `[n, k]` transposed).
    static func multiply(_ a: UnsafePointer<Float>, transposingA: Bool, _ b: UnsafePointer<Float>, transposingB: Bool,
                         m: Int, n: Int, k: Int, beta: Float, into c: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposingA ? CblasTrans : CblasNoTrans, transposingB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transposingA ? m : k), b, Int32(transposingB ? k : n),
                    beta, c, Int32(n))
    }

    /// `y[columns] = Aᵀ · x` for A `[rows, columns]` (`cblas_sgemv`, transposed).
    @inline(__always)
    static func multiplyTransposedVector(_ a: UnsafePointer<Float>, rows: Int, columns: Int, _ x: UnsafePointer<Float>,
                                         into y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(columns), 1, a, Int32(columns), x, 1, 0, y, 1)
    }
}

extension Array where Element == Float {
    /// `count` values left unset, for a buffer that is written whole before it is read (a
    /// product with beta 0, a bias copied to every row, a copy): no zero fill of megabytes per
    /// training update.
    init(overwrittenCount count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// This row-major `[rows, columns]` matrix as `[columns, rows]`.
    func transposed(rows: Int, columns: Int) -> [Float] {
        precondition(count == rows * columns, "a [\(rows), \(columns)] matrix has \(rows * columns) values, not \(count)")
        return [Float](unsafeUninitializedCapacity: count) { result, initialized in
            for row in 0..<rows {
                for column in 0..<columns { result[column * rows + row] = self[row * columns + column] }
            }
            initialized = count
        }
    }
}
