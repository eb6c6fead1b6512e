import Benchmark
import Features
import Foundation
import Recognizer

/// The reference BiGRU (40 → 2×BiGRU(128) → 29) from `../../shared/reference/gru`.
func referenceSession(threads: Int) -> InferenceSession {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference/gru").path
    let model = try! TextTensorImporter.model(
        folder: folder, architecture: ModelArchitecture(inputSize: 40, hiddenSize: 128, layerCount: 2, classCount: 29),
        features: FeatureConfiguration(kind: .logMel))
    return InferenceSession(model: model, threadCount: threads)
}

/// Deterministic pseudo-random features `[frames, 40]`.
func features(frames: Int) -> Matrix {
    var state: UInt32 = 99
    return Matrix(rows: frames, columns: 40, values: (0..<(frames * 40)).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return Float(state >> 8) / Float(1 << 24) - 0.5
    })
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds,
        maxDuration: .seconds(3), maxIterations: 5_000)

    for threads in [1, 2] {
        for frames in [100, 1_000] {
            let session = referenceSession(threads: threads)
            let input = features(frames: frames)
            _ = session.logProbabilities(input)
            Benchmark("BiGRU reference T=\(frames), \(threads) thread\(threads == 1 ? "" : "s")") { benchmark in
                for _ in benchmark.scaledIterations { blackHole(session.logProbabilities(input)) }
            }
        }
    }
}
