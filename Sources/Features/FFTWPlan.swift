internal import CFFTW
import Foundation

/// FFTW's planner (plan creation and destruction) is not thread-safe; executing distinct
/// plans is. Every planner call in the process goes through this lock.
private let planner = NSLock()

/// `FFTW_ESTIMATE` (a macro that does not import into Swift). FFTW_MEASURE times candidate
/// algorithms and may pick a different one each run, which changes the last bits of the
/// output; ESTIMATE is deterministic, so the same audio always gives the same features.
private let fftwEstimate: UInt32 = 1 << 6

/// Owns one single-precision real-to-complex FFTW plan and its aligned buffers.
final class FFTWPlan {
    let size: Int
    /// `size` real inputs (aligned by `fftwf_malloc`).
    let input: UnsafeMutablePointer<Float>
    /// `size / 2 + 1` complex outputs as interleaved (re, im) floats.
    let output: UnsafeMutablePointer<Float>
    private let plan: OpaquePointer

    /// Plans a real FFT of `size` with `fftwf_plan_dft_r2c_1d`.
    init(size: Int) throws {
        self.size = size
        let input = fftwf_malloc(MemoryLayout<Float>.stride * size)!.bindMemory(to: Float.self, capacity: size)
        let complexCount = size / 2 + 1
        let output = fftwf_malloc(MemoryLayout<Float>.stride * 2 * complexCount)!.bindMemory(to: Float.self, capacity: 2 * complexCount)
        let plan = planner.withLock {
            output.withMemoryRebound(to: fftwf_complex.self, capacity: complexCount) {
                fftwf_plan_dft_r2c_1d(Int32(size), input, $0, fftwEstimate)
            }
        }
        guard let plan else {
            fftwf_free(input)
            fftwf_free(output)
            throw FeatureError.planFailed(fftSize: size)
        }
        input.initialize(repeating: 0, count: size)
        self.input = input
        self.output = output
        self.plan = plan
    }

    deinit {
        planner.withLock { fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Transforms ``input`` into ``output`` (`fftwf_execute`); the input is preserved.
    @inline(__always)
    func execute() { fftwf_execute(plan) }
}
