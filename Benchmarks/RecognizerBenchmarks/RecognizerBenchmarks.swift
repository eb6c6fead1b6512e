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

/// openWakeWord's speech embedding, converted by `scripts/convert-speech-embedding.py --out data/speech-embedding`.
func speechEmbedding() -> SpeechEmbedding? {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/speech-embedding").path
    return try? SpeechEmbedding.read(folder: folder)
}

/// Deterministic pseudo-random mel frames `[frames, 32]` in the embedding's range (about 0–12).
func mels(frames: Int) -> Matrix {
    var state: UInt32 = 7
    return Matrix(rows: frames, columns: 32, values: (0..<(frames * 32)).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return Float(state >> 8) / Float(1 << 24) * 12
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

    // The speech embedding over 10 s of mel frames (its time per audio-second: divide by 10) and
    // over one 1 s clip with the front end's 0.4 s of edge padding at each end (176 frames).
    if let embedding = speechEmbedding() {
        for step in [4, 8] {
            for (label, frames) in [("10 s of audio", 998), ("a 1 s clip", 176)] {
                let runner = SpeechEmbeddingRunner(embedding: embedding)
                let input = mels(frames: frames)
                _ = runner.embed(input, step: step)
                Benchmark("Speech embedding, \(label), every \(step * 10) ms") { benchmark in
                    for _ in benchmark.scaledIterations { blackHole(runner.embed(input, step: step)) }
                }
            }
        }
    } else {
        print("speech embedding benchmarks skipped: run scripts/convert-speech-embedding.py --out data/speech-embedding first")
    }
}
