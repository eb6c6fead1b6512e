import Audio
import Foundation
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

    @Test("A round trip through 8 kHz keeps tones below 4 kHz and removes a 6 kHz one")
    func roundTrip() throws {
        let low = tones(sampleRate: 16_000)
        let high: [Float] = (0..<16_000).map { n in Float(0.5 * sin(2 * Double.pi * 6_000 * Double(n) / 16_000)) }
        let lowOut = try Resampler.roundTrip(low, through: 8_000), highOut = try Resampler.roundTrip(high, through: 8_000)
        #expect(abs(lowOut.count - low.count) <= 1 && abs(highOut.count - high.count) <= 1)
        #expect(snr(lowOut, low, margin: 1_000) >= 40)
        // The 6 kHz tone (amplitude 0.5) is at least 40 dB down.
        #expect(highOut[1_000..<15_000].allSatisfy { abs($0) < 0.005 })
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
