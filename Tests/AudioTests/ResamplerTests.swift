import Audio
import Testing

@Suite("Resampler")
struct ResamplerTests {
    @Test("Streaming in chunks equals converting at once", arguments: [44_100, 48_000])
    func streaming(rate: Int) throws {
        let input = tones(sampleRate: rate)
        let whole = try Resampler(from: rate).process(input, isFinal: true)
        let streaming = try Resampler(from: rate)
        var output = [Float]()
        var start = 0
        for size in [1, 441, 480, 7, 4_096, 10_000].cycled(until: input.count) {
            let end = min(start + size, input.count)
            output += streaming.process(Array(input[start..<end]), isFinal: end == input.count)
            start = end
            if end == input.count { break }
        }
        #expect(output.count == whole.count)
        #expect(zip(output, whole).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(snr(output, tones(sampleRate: 16_000)) >= 60)
    }

    @Test("An impossible ratio is refused")
    func badRatio() {
        #expect(throws: AudioError.resampling(reason: "cannot convert 0 Hz to 16000 Hz")) { try Resampler(from: 0) }
    }
}

extension Array {
    /// The elements repeated until their running total of `Int` values reaches `total`.
    func cycled(until total: Int) -> [Element] where Element == Int {
        var result: [Int] = [], sum = 0, index = 0
        while sum < total { result.append(self[index % count]); sum += self[index % count]; index += 1 }
        return result
    }
}
