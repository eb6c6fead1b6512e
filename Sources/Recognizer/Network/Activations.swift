/// Vectorised sigmoid and tanh for the GRU gates: a Cephes-style `expf` on `SIMD8<Float>`
/// (range reduction by powers of two, degree-6 polynomial, ~1 ulp) instead of one libm call
/// per value.
enum Activations {
    /// e^x for eight values; inputs are clamped to [-87.3, 88.7].
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Two selects rather than `clamped(lowerBound:upperBound:)`, whose generic min and max
        // were calls, not inlined (~1 % of a training run's time).
        let lower = SIMD8<Float>(repeating: -87.3), upper = SIMD8<Float>(repeating: 88.7)
        let clamped = x.replacing(with: lower, where: x .< lower).replacing(with: upper, where: x .> upper)
        // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer k and leaves k in the low
        // mantissa bits: no (slow, generic) float-to-int vector conversion or rounding call.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_040_9 + magic
        let k = shifted - magic
        var r = clamped - k * 0.693_359_375
        r = r - k * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }

    /// 1 / (1 + e^-x) for eight values.
    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    /// tanh x = 2 σ(2x) − 1 for eight values.
    @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        2 / (1 + exp(-2 * x)) - 1
    }

    /// Loads eight floats starting at `pointer`.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores eight floats starting at `pointer`.
    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// Replaces each row of a `[rows, columns]` matrix by its log-softmax.
    static func logSoftmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let v = values + row * columns
            var maximum = -Float.infinity
            for c in 0..<columns { maximum = max(maximum, v[c]) }
            var sum: Float = 0
            for c in 0..<columns { sum += Foundation.exp(v[c] - maximum) }
            let logSum = maximum + Foundation.log(sum)
            for c in 0..<columns { v[c] -= logSum }
        }
    }
}

import Foundation
