import Benchmark
import Features
import Foundation

/// A deterministic speech-like test signal: a sweeping tone with a little noise.
func signal(seconds: Int) -> [Float] {
    var state: UInt32 = 12_345
    return (0..<(16_000 * seconds)).map { n in
        state = state &* 1_664_525 &+ 1_013_904_223
        let t = Float(n % 16_000) / 16_000
        let tone: Float = 0.3 * sin(2 * Float.pi * (200 + 800 * t) * t)
        let noise: Float = Float(state >> 8) / Float(1 << 24) - 0.5
        return tone + 0.01 * noise
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds, maxDuration: .seconds(3), maxIterations: 10_000)

    // What the harness itself allocates per iteration: subtract it from the others.
    Benchmark("Baseline (empty iteration)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(benchmark) }
    }

    // MFCC of a whole clip (batch extractor, one thread). Divide by the clip's seconds
    // for the time per audio-second.
    for seconds in [1, 60] {
        let clip = signal(seconds: seconds)
        let extractor = try! FeatureExtractor()
        Benchmark("MFCC batch \(seconds) s clip") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(extractor.extract(clip)) }
        }
    }

    // The streaming extractor fed 10 ms chunks: one iteration = one second of audio, 100
    // frames handed to a closure. mallocCountTotal counts allocations per second of audio.
    let chunks = signal(seconds: 1)
    let streaming = try! StreamingFeatureExtractor()
    _ = streaming.push(chunks)
    Benchmark("MFCC streaming 1 s in 160-sample chunks") { benchmark in
        var sum: Float = 0
        chunks.withUnsafeBufferPointer { buffer in
            for start in stride(from: 0, to: buffer.count, by: 160) {
                let chunk = UnsafeBufferPointer(rebasing: buffer[start..<(start + 160)])
                streaming.push(chunk) { frame in sum += frame[0] }
            }
        }
        blackHole(sum)
    }
}
