import Features
import Foundation
import Recognizer
import TestSupport
import Testing

@Suite("Training helpers")
struct TrainingScheduleTests {
    @Test("SpecAugment masks whole runs of frames and bands (in all delta parts), the same way for the same seed")
    func masking() {
        let features = Matrix(rows: 100, columns: 39, values: [Float](repeating: 1, count: 3900))
        let masking = SpecAugment(timeMaskCount: 1, maximumTimeMask: 10, frequencyMaskCount: 1, maximumFrequencyMask: 5)
        var first = SeededGenerator(seed: 9), second = SeededGenerator(seed: 9)
        let a = masking.apply(to: features, bands: 13, using: &first)
        #expect(a == masking.apply(to: features, bands: 13, using: &second))
        let maskedRows = (0..<100).filter { t in a.row(t).allSatisfy { $0 == 0 } }
        if let low = maskedRows.first { #expect(maskedRows == Array(low..<(low + maskedRows.count)) && maskedRows.count <= 10) }
        let maskedBands = (0..<13).filter { band in (0..<100).allSatisfy { a[$0, band] == 0 } }
        #expect(maskedBands.count <= 5)
        for band in maskedBands { #expect((0..<100).allSatisfy { a[$0, band + 13] == 0 && a[$0, band + 26] == 0 }) }
        var several = SeededGenerator(seed: 1)
        let masks = (0..<20).map { _ in masking.apply(to: features, bands: 13, using: &several) }
        #expect(masks.contains { $0.values.contains(0) })
        #expect(Set(masks.map(\.values)).count > 1)
    }

    @Test("Speaker perturbation: a warp above 1 moves a formant to higher bands, a stretch changes the frame count; same seed, same result")
    func perturbation() {
        var configuration = FeatureConfiguration(kind: .logMel)
        configuration.melBandCount = 40
        // A "formant": one bright band, band 20, on every frame.
        let features = Matrix(rows: 50, columns: 40, values: (0..<2000).map { $0 % 40 == 20 ? 1 : 0 })
        func peak(_ m: Matrix) -> Int { (0..<40).max { m[10, $0] < m[10, $1] }! }
        #expect(SpeakerPerturbation.warpFrequencies(features, by: 1, configuration: configuration) == features)
        #expect(peak(SpeakerPerturbation.warpFrequencies(features, by: 1.15, configuration: configuration)) > 20)
        #expect(peak(SpeakerPerturbation.warpFrequencies(features, by: 0.85, configuration: configuration)) < 20)
        #expect(SpeakerPerturbation.stretchTime(features, by: 1.2).rows == 60)
        #expect(SpeakerPerturbation.stretchTime(features, by: 0.8).rows == 40)
        let ramp = Matrix(rows: 11, columns: 1, values: (0...10).map(Float.init))
        #expect(SpeakerPerturbation.stretchTime(ramp, by: 21.0 / 11).values == (0...20).map { Float($0) / 2 })

        let perturbation = SpeakerPerturbation(maximumWarp: 0.1, maximumStretch: 0.1)
        var first = SeededGenerator(seed: 3), second = SeededGenerator(seed: 3)
        #expect(perturbation.apply(to: features, configuration: configuration, using: &first)
                == perturbation.apply(to: features, configuration: configuration, using: &second))
        var several = SeededGenerator(seed: 4)
        let draws = (0..<10).map { _ in perturbation.apply(to: features, configuration: configuration, using: &several) }
        #expect(Set(draws.map(\.rows)).count > 1)
        #expect(draws.allSatisfy { (45...55).contains($0.rows) })
        #expect(Set(draws).count == 10)
        var none = SeededGenerator(seed: 5)
        #expect(SpeakerPerturbation(maximumWarp: 0, maximumStretch: 0).apply(to: features, configuration: configuration, using: &none) == features)
    }

    @Test("The learning rate warms up linearly, peaks, then decays by a cosine to its floor")
    func schedule() {
        let schedule = LearningRateSchedule(peak: 1, floor: 0.1, warmupSteps: 10, totalSteps: 110)
        #expect(abs(schedule.rate(at: 0) - 0.1) < 1e-6)
        #expect(abs(schedule.rate(at: 9) - 1) < 1e-6)
        #expect(abs(schedule.rate(at: 60) - 0.55) < 1e-5)
        #expect(abs(schedule.rate(at: 110) - 0.1) < 1e-6)
        #expect(abs(schedule.rate(at: 500) - 0.1) < 1e-6)
        #expect((10..<110).allSatisfy { schedule.rate(at: $0 + 1) <= schedule.rate(at: $0) })
    }

    @Test("Adam's first steps move each parameter by the rate against its gradient's sign, then follow the moments")
    func adam() {
        var parameters: [[Float]] = [[1, 1], [0]]
        var adam = AdamOptimizer(like: parameters)
        adam.update(&parameters, gradient: [[0.5, -2], [0]], learningRate: 0.1)
        #expect(abs(parameters[0][0] - 0.9) < 1e-5 && abs(parameters[0][1] - 1.1) < 1e-5 && parameters[1][0] == 0)
        adam.update(&parameters, gradient: [[0, -2], [0]], learningRate: 0.1)
        // m = 0.9·0.1·0.5 → m̂ = 0.045/0.19; v = 0.999·0.001·0.25 → v̂ = 0.00024975/0.001999.
        let expected = 0.9 - 0.1 * (0.045 / 0.19) / ((0.000_249_75 / 0.001_999).squareRoot() + 1e-8)
        #expect(abs(parameters[0][0] - Float(expected)) < 1e-4)
        #expect(abs(parameters[0][1] - 1.2) < 1e-4)
        #expect(adam.step == 2)
    }

    @Test("Adam's eight-at-a-time update gives, to the bit, the scalar formula on tensors of every length up to 17")
    func adamMatchesScalarFormula() {
        var generator = SeededGenerator(seed: 5)
        var parameters = (0...17).map { count in (0..<count).map { _ in Float.random(in: -1...1, using: &generator) } }
        var adam = AdamOptimizer(like: parameters)
        var expected = parameters, first = parameters.map { $0.map { _ in Float(0) } }, second = first
        let decays = parameters.indices.map { Float($0 % 3) * 0.05 }
        for step in 1...3 {
            let gradient = parameters.map { $0.map { _ in Float.random(in: -2...2, using: &generator) } }
            adam.update(&parameters, gradient: gradient, learningRate: 0.01, weightDecay: decays)
            let (beta1, beta2, epsilon, rate): (Float, Float, Float, Float) = (0.9, 0.999, 1e-8, 0.01)
            let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
            for t in expected.indices {
                for i in expected[t].indices {
                    let g = gradient[t][i]
                    first[t][i] = beta1 * first[t][i] + (1 - beta1) * g
                    second[t][i] = beta2 * second[t][i] + (1 - beta2) * g * g
                    let m = first[t][i] / correction1, v = second[t][i] / correction2
                    expected[t][i] -= rate * (m / (v.squareRoot() + epsilon) + decays[t] * expected[t][i])
                }
            }
            #expect(parameters == expected)
            #expect(adam.moments.first == first && adam.moments.second == second)
        }
    }

    @Test("Adam's weight decay is decoupled: with no gradient each tensor shrinks by rate × its own decay")
    func adamWeightDecay() {
        var parameters: [[Float]] = [[1, -2], [3]]
        var adam = AdamOptimizer(like: parameters)
        adam.update(&parameters, gradient: [[0, 0], [0]], learningRate: 0.1, weightDecay: [0.5, 0])
        #expect(zip(parameters[0], [0.95, -1.9] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 } && parameters[1] == [3])
    }

    @Test("The weight average is bias-corrected: the placeholder leaves no trace, the updates are weighted by decayⁿ⁻ᵏ, and a resumed average moves by about 1 − decay")
    func weightAverage() {
        var average = WeightAverage(decay: 0.9, tensors: [[5, 5], [5]])
        average.update(with: [[0, 10], [1]])
        #expect(average.tensors == [[0, 10], [1]] && average.updates == 1)
        average.update(with: [[1, 0], [1]])
        // (0.9 · w₁ + w₂) / (0.9 + 1)
        #expect(zip(average.tensors[0], [1 / 1.9, 9 / 1.9] as [Float]).allSatisfy { abs($0 - $1) < 1e-5 } && average.tensors[1] == [1])
        for _ in 0..<200 { average.update(with: [[1, 0], [1]]) }
        #expect(zip(average.tensors[0], [1, 0] as [Float]).allSatisfy { abs($0 - $1) < 1e-4 })
        var resumed = WeightAverage(decay: 0.9, tensors: [[0, 10]], updates: 100)
        resumed.update(with: [[1, 0]])
        #expect(zip(resumed.tensors[0], [0.1, 9] as [Float]).allSatisfy { abs($0 - $1) < 1e-4 } && resumed.updates == 101)
    }

    @Test("A checkpoint gives back the model, Adam's moments, the weight average and the state")
    func checkpoint() throws {
        let features = FeatureConfiguration(kind: .logMel, normalization: .utterance)
        var model = try AcousticModel(architecture: ModelArchitecture(inputSize: 40, hiddenSize: 8, layerCount: 1, classCount: 29),
                                      features: features, alphabet: .english)
        var generator = SeededGenerator(seed: 4)
        model.tensors = model.tensors.map { $0.map { _ in Float.random(in: -1...1, using: &generator) } }
        let moments = model.tensors.map { $0.map { $0 * 0.5 } }
        var state = TrainingState(seed: 4)
        state.epoch = 2
        state.step = 17
        state.losses = [[10, 3.5]]
        state.accuracies = [0.25, 0.5]
        let folder = try Fixtures.scratchFolder().path
        try TrainingCheckpoint(model: model, optimizer: AdamOptimizer(step: 17, firstMoment: moments, secondMoment: model.tensors),
                               state: state).write(to: folder)
        let read = try #require(try TrainingCheckpoint.read(from: folder))
        #expect(read.model.tensors == model.tensors && read.average == nil)
        #expect(read.optimizer.moments.first == moments && read.optimizer.moments.second == model.tensors)
        #expect(read.optimizer.step == 17 && read.state.epoch == 2 && read.state.accuracies == [0.25, 0.5])
        #expect(try TrainingCheckpoint.read(from: folder + "/none") == nil)

        let averaged = try Fixtures.scratchFolder().path
        try TrainingCheckpoint(model: model, optimizer: read.optimizer, state: state, average: moments).write(to: averaged)
        #expect(try TrainingCheckpoint.read(from: averaged)?.average == moments)
        try TrainingCheckpoint(model: model, optimizer: read.optimizer, state: state).write(to: averaged)
        #expect(try TrainingCheckpoint.read(from: averaged)?.average == nil)
    }
}
