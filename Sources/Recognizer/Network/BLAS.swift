internal import CBLAS

/// The few OpenBLAS calls the network needs, with shapes spelled out.
enum BLAS {
    /// OpenBLAS would otherwise start its own thread pool and fight our threads for the cores.
    private static let singleThread: Void = { openblas_set_num_threads(1) }()

    static func useSingleThread() { _ = singleThread }

    /// `C[rows, outputs] = A[rows, inner] · Bᵀ + bias`, with B `[outputs, inner]` (`cblas_sgemm`).
    @inline(__always)
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows: Int, inner: Int, _ b: UnsafePointer<Float>,
                                   outputs: Int, bias: UnsafePointer<Float>?, into c: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        if let bias {
            for row in 0..<rows { (c + row * outputs).update(from: bias, count: outputs) }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inner),
                    1, a, Int32(inner), b, Int32(inner), bias == nil ? 0 : 1, c, Int32(outputs))
    }

    /// `y[rows] = A[rows, columns] · x` (`cblas_sgemv`).
    @inline(__always)
    static func multiplyVector(_ a: UnsafePointer<Float>, rows: Int, columns: Int, _ x: UnsafePointer<Float>,
                               into y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(rows), Int32(columns), 1, a, Int32(columns), x, 1, 0, y, 1)
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
