/// Turns audio pushed in chunks of any size into base feature frames as soon as each frame
/// is complete; the frames equal ``FeatureExtractor/baseFrames(_:)`` of the whole signal
/// (with an ``FeatureConfiguration/edgePadding``, once ``finish(_:)`` has added the padding
/// after its end; the padding before it goes in ahead of the first samples).
///
/// Once running it allocates nothing per frame: samples go into a fixed buffer and each
/// frame is handed to a closure as a pointer. Deltas and normalisation need the whole
/// utterance: apply ``FeatureExtractor/postprocess(_:)`` when it ends.
public final class StreamingFeatureExtractor {
    /// The batch extractor that computes each frame.
    public let extractor: FeatureExtractor
    private let pending: UnsafeMutablePointer<Float>
    private let capacity: Int
    private var count = 0
    private let frame: UnsafeMutablePointer<Float>
    /// Frames emitted since creation or the last ``reset()``.
    public private(set) var frameCount = 0
    /// The edge padding's zeros.
    private let silence: [Float]
    /// Whether the padding before the utterance is still to go in.
    private var startsUtterance = true

    /// Creates a streaming extractor with its own FFT plan and buffers.
    /// - Throws: ``FeatureError`` for an invalid configuration, or a speech embedding's (its
    ///   mel frames are floored in groups of 8, so they are not final one by one).
    public init(configuration: FeatureConfiguration = FeatureConfiguration()) throws {
        guard configuration.kind != .speechEmbedding else {
            throw FeatureError.invalidConfiguration("a speech embedding's mel frames are computed over whole utterances, not streamed")
        }
        extractor = try FeatureExtractor(configuration: configuration)
        capacity = configuration.fftSize + 4 * configuration.hopLength
        pending = .allocate(capacity: capacity)
        frame = .allocate(capacity: configuration.baseDimension)
        silence = [Float](repeating: 0, count: configuration.edgePaddingSamples)
    }

    deinit {
        pending.deallocate()
        frame.deallocate()
    }

    /// Pushes samples; calls `body` once per completed frame, in order.
    /// - Parameters:
    ///   - samples: the next mono samples, any count.
    ///   - body: receives `baseDimension` values, valid only during the call.
    public func push(_ samples: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        if startsUtterance {
            startsUtterance = false
            try silence.withUnsafeBufferPointer { try feed($0, body) }
        }
        try feed(samples, body)
    }

    /// Ends the utterance: pushes the edge padding after it (nothing without padding) and
    /// calls `body` once per frame that completes.
    public func finish(_ body: (UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        try push(UnsafeBufferPointer(start: nil, count: 0), body)
        try silence.withUnsafeBufferPointer { try feed($0, body) }
    }

    /// Ends the utterance and returns the frames the edge padding after it completed.
    public func finish() -> Matrix {
        var frames = Matrix(rows: 0, columns: extractor.configuration.baseDimension)
        finish { frames.appendRows($0) }
        return frames
    }

    private func feed(_ samples: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        let c = extractor.configuration
        var consumed = 0
        while consumed < samples.count {
            let taken = min(capacity - count, samples.count - consumed)
            (pending + count).update(from: samples.baseAddress! + consumed, count: taken)
            count += taken
            consumed += taken
            var start = 0
            while count - start >= c.fftSize {
                extractor.computeFrame(pending + start, into: frame)
                frameCount += 1
                start += c.hopLength
                try body(UnsafeBufferPointer(start: frame, count: c.baseDimension))
            }
            if start > 0 {
                pending.update(from: pending + start, count: count - start)
                count -= start
            }
        }
    }

    /// Pushes samples and returns the frames they completed: `[frames, baseDimension]`.
    public func push(_ samples: [Float]) -> Matrix {
        var frames = Matrix(rows: 0, columns: extractor.configuration.baseDimension)
        samples.withUnsafeBufferPointer { buffer in
            push(buffer) { frames.appendRows($0) }
        }
        return frames
    }

    /// Drops buffered samples and restarts frame numbering (and the edge padding), for a new utterance.
    public func reset() {
        count = 0
        frameCount = 0
        startsUtterance = true
    }
}
