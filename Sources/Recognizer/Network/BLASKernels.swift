internal import CBLAS

/// Which of OpenBLAS's kernels run the network's matrix products. OpenBLAS picks them for the
/// CPU when it loads, unless the environment variable `OPENBLAS_CORETYPE` names others; the
/// choice changes speed (AVX-512 kernels train about a third faster than AVX2 ones where the
/// CPU has both) and the last bits of the results, so figures name it.
public enum BLASKernels {
    /// The kernels OpenBLAS is running, as it names them ("Haswell", "SkylakeX", "Cooperlake"…).
    public static var coreName: String { String(cString: openblas_get_corename()) }
}
