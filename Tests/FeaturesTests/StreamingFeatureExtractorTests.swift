import Features
import TestSupport
import Testing

@Suite("StreamingFeatureExtractor")
struct StreamingFeatureExtractorTests {
    static let signal = FeatureOptionTests.signal

    @Test("Streaming frames are identical to batch frames", arguments: [1, 7, 160, 512, 4_000, 16_000], [FeatureConfiguration.Kind.mfcc, .logMel])
    func equalsBatch(chunkSize: Int, kind: FeatureConfiguration.Kind) throws {
        let configuration = FeatureConfiguration(kind: kind)
        let batch = try FeatureExtractor(configuration: configuration).baseFrames(Self.signal)
        let streaming = try StreamingFeatureExtractor(configuration: configuration)
        var frames = Matrix(rows: 0, columns: configuration.baseDimension)
        var start = 0
        while start < Self.signal.count {
            let chunk = Array(Self.signal[start..<min(start + chunkSize, Self.signal.count)])
            frames.appendRows(streaming.push(chunk).values)
            start += chunkSize
        }
        #expect(frames == batch)
        #expect(streaming.frameCount == 97)
    }

    @Test("With edge padding, streaming then finish gives the batch frames of the padded signal", arguments: [7, 4_000])
    func equalsBatchWithPadding(chunkSize: Int) throws {
        var configuration = FeatureConfiguration(kind: .logMel)
        configuration.edgePadding = 0.05
        let batch = try FeatureExtractor(configuration: configuration).baseFrames(Self.signal)
        let streaming = try StreamingFeatureExtractor(configuration: configuration)
        for round in 0..<2 {
            var frames = Matrix(rows: 0, columns: configuration.baseDimension)
            for start in stride(from: 0, to: Self.signal.count, by: chunkSize) {
                frames.appendRows(streaming.push(Array(Self.signal[start..<min(start + chunkSize, Self.signal.count)])).values)
            }
            frames.appendRows(streaming.finish().values)
            #expect(frames == batch, "round \(round)")
            #expect(streaming.frameCount == 1 + (16_000 + 1_600 - 512) / 160)
            streaming.reset()
        }
    }

    @Test("A frame appears as soon as its last sample arrives")
    func latency() throws {
        let streaming = try StreamingFeatureExtractor()
        #expect(streaming.push(Array(Self.signal.prefix(511))).rows == 0)
        #expect(streaming.push([Self.signal[511]]).rows == 1)
        #expect(streaming.push(Array(Self.signal[512..<671])).rows == 0)
        #expect(streaming.push([Self.signal[671]]).rows == 1)
    }

    @Test("reset starts a new utterance")
    func reset() throws {
        let streaming = try StreamingFeatureExtractor()
        _ = streaming.push(Array(Self.signal.prefix(3_000)))
        streaming.reset()
        let frames = streaming.push(Self.signal)
        #expect(frames == (try FeatureExtractor().baseFrames(Self.signal)))
    }
}
