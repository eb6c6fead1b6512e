import Audio
import Features
import Foundation
import Recognizer
import TestSupport
import Testing

/// Row-wise log-softmax of logits `[T, C]`.
func logSoftmax(_ logits: Matrix) -> Matrix {
    var result = logits
    for t in 0..<logits.rows {
        let row = logits.row(t)
        let maximum = row.max()!
        let logSum = maximum + log(row.map { exp($0 - maximum) }.reduce(0, +))
        for c in 0..<logits.columns { result[t, c] = logits[t, c] - logSum }
    }
    return result
}

/// Random values in [-scale, scale] from a seeded generator.
func randomValues(_ count: Int, scale: Float, generator: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in Float.random(in: -scale...scale, using: &generator) }
}

@Suite("CTC loss")
struct CTCLossTests {
    /// −log Σ over every alignment (all C^T class paths) that collapses to `labels`.
    func bruteForce(_ lp: Matrix, _ labels: [Int]) -> Double {
        var total = 0.0
        let paths = Int(pow(Double(lp.columns), Double(lp.rows)))
        for code in 0..<paths {
            var rest = code, path: [Int] = []
            for _ in 0..<lp.rows { path.append(rest % lp.columns); rest /= lp.columns }
            var collapsed: [Int] = [], previous = -1
            for c in path { if c != 0 && c != previous { collapsed.append(c) }; previous = c }
            if collapsed == labels { total += exp(path.enumerated().map { Double(lp[$0.offset, $0.element]) }.reduce(0, +)) }
        }
        return -log(total)
    }

    @Test("Equals brute-force enumeration of all alignments", arguments: [[1, 2], [1, 1], [], [3], [2, 1, 2], [1, 1, 1]])
    func bruteForceMatches(labels: [Int]) throws {
        var generator = SeededGenerator(seed: UInt64(labels.count * 7 + (labels.first ?? 0)))
        let lp = logSoftmax(Matrix(rows: 5, columns: 4, values: randomValues(20, scale: 2, generator: &generator)))
        let (loss, _) = try #require(CTCLoss.lossAndGradient(lp, labels: labels))
        #expect(abs(Double(loss) - bruteForce(lp, labels)) < 1e-4)
    }

    @Test("Impossible targets (too many labels for the frames) give nil")
    func impossible() {
        let lp = logSoftmax(Matrix(rows: 2, columns: 4, repeating: 0))
        #expect(CTCLoss.lossAndGradient(lp, labels: [1, 1]) == nil)   // needs 3 frames
        #expect(CTCLoss.lossAndGradient(lp, labels: [1, 2, 3]) == nil)
        #expect(CTCLoss.lossAndGradient(lp, labels: [1, 2]) != nil)
    }

    @Test("The gradient matches central differences on the logits")
    func gradient() throws {
        var generator = SeededGenerator(seed: 3)
        let logits = Matrix(rows: 6, columns: 5, values: randomValues(30, scale: 2, generator: &generator))
        let labels = [1, 3, 3]
        func loss(_ logits: Matrix) -> Float {
            CTCLoss.lossAndGradient(logSoftmax(logits), labels: labels)!.loss
        }
        let (_, analytic) = try #require(CTCLoss.lossAndGradient(logSoftmax(logits), labels: labels))
        let h: Float = 1e-2
        for index in logits.values.indices {
            var plus = logits, minus = logits
            plus.values[index] += h
            minus.values[index] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * h)
            #expect(abs(numeric - analytic.values[index]) < 2e-3, "logit \(index)")
        }
    }

}

@Suite("Backpropagation through the BiGRU")
struct BackpropagationTests {
    /// 2 bidirectional layers of 8 units on 5 inputs, random weights, an optional time reduction
    /// and 0, 1 or 2 convolutions (the first: 3 channels, 3 frames × 3 bands, every second band,
    /// 9 values per frame; the second reads those 3 bands × 3 channels and gives 2 bands × 2 channels).
    static func tinyModel(seed: UInt64 = 11, timeReduction: Int = 1, convolutions: Int = 0) throws -> AcousticModel {
        var features = FeatureConfiguration(kind: .logMel)
        features.melBandCount = 5
        let first = Convolution(channels: 3, kernelFrames: 3, kernelBands: 3, bandStride: 2, inputBands: 5)
        let architecture = ModelArchitecture(
            inputSize: 5, hiddenSize: 8, layerCount: 2, classCount: 29, timeReduction: timeReduction,
            convolutions: Array([first, first.followed(byChannels: 2)].prefix(convolutions)))
        var model = try AcousticModel(architecture: architecture,
                                      features: features, alphabet: .english)
        var generator = SeededGenerator(seed: seed)
        model.tensors = model.tensors.map { randomValues($0.count, scale: 0.5, generator: &generator) }
        return model
    }

    @Test("Its forward pass agrees with the inference session", arguments: [(1, 0), (2, 0), (3, 0), (2, 1), (2, 2)])
    func forwardAgrees(timeReduction: Int, convolutions: Int) throws {
        let model = try Self.tinyModel(timeReduction: timeReduction, convolutions: convolutions)
        var generator = SeededGenerator(seed: 5)
        let features = Matrix(rows: 9, columns: 5, values: randomValues(45, scale: 1, generator: &generator))
        let labels = Alphabet.english.encode("ab")
        var gradient = Backpropagation.zeroGradient(like: model)
        let loss = try #require(Backpropagation(model: model).accumulate(features: features, labels: labels, into: &gradient))
        let logProbabilities = InferenceSession(model: model, threadCount: 2).logProbabilities(features)
        #expect(logProbabilities.rows == (9 + timeReduction - 1) / timeReduction)
        let expected = CTCLoss.lossAndGradient(logProbabilities, labels: labels)!.loss
        #expect(abs(loss - expected) < 1e-3)
    }

    @Test("Every tensor's gradient matches central differences", arguments: 0..<18)
    func finiteDifferences(tensor: Int) throws {
        try checkFiniteDifferences(model: Self.tinyModel(), tensor: tensor)
    }

    @Test("With a time reduction of 2 (9 frames: the last group is one frame), every tensor's gradient matches central differences",
          arguments: [0, 3, 5, 8, 9, 13, 16, 17])
    func finiteDifferencesWithTimeReduction(tensor: Int) throws {
        try checkFiniteDifferences(model: Self.tinyModel(timeReduction: 2), tensor: tensor)
    }

    @Test("With a convolution in front (and a time reduction of 2), every tensor's gradient matches central differences",
          arguments: [0, 1, 2, 5, 9, 12, 17, 18, 19])
    func finiteDifferencesWithConvolution(tensor: Int) throws {
        try checkFiniteDifferences(model: Self.tinyModel(timeReduction: 2, convolutions: 1), tensor: tensor)
    }

    @Test("With two convolutions in a row, every tensor's gradient matches central differences (the first's through the second)",
          arguments: [0, 1, 2, 3, 4, 11, 20, 21])
    func finiteDifferencesWithTwoConvolutions(tensor: Int) throws {
        // A step of 1e-2 in the first convolution's bias moves every one of its outputs and
        // carries some of them across the second convolution's ReLU kinks; 2e-3 does not.
        try checkFiniteDifferences(model: Self.tinyModel(timeReduction: 2, convolutions: 2), tensor: tensor, step: 2e-3)
    }

    @Test("The convolution equals the sum over its window and input channels, with zeros past the edges and ReLU",
          arguments: [1, 2])
    func convolutionByHand(inputChannels: Int) throws {
        let convolution = Convolution(channels: 2, kernelFrames: 3, kernelBands: 3, bandStride: 2, inputBands: 5, inputChannels: inputChannels)
        var generator = SeededGenerator(seed: 21)
        let input = randomValues(4 * 5 * inputChannels, scale: 1, generator: &generator)
        let weights = randomValues(2 * 9 * inputChannels, scale: 1, generator: &generator), bias: [Float] = [0.1, -0.2]
        let output = input.withUnsafeBufferPointer { convolution.forward($0.baseAddress!, frames: 4, weights: weights, bias: bias) }
        #expect(convolution.outputBands == 3 && output.count == 4 * 3 * 2)
        for t in 0..<4 {
            for band in 0..<3 {
                for c in 0..<2 {
                    var sum = bias[c]
                    for i in 0..<inputChannels {
                        for dt in -1...1 {
                            for db in -1...1 where (0..<4).contains(t + dt) && (0..<5).contains(2 * band + db) {
                                sum += weights[(c * inputChannels + i) * 9 + (dt + 1) * 3 + db + 1]
                                    * input[((t + dt) * 5 + 2 * band + db) * inputChannels + i]
                            }
                        }
                    }
                    #expect(abs(output[(t * 3 + band) * 2 + c] - max(0, sum)) < 1e-5, "frame \(t) band \(band) channel \(c)")
                }
            }
        }
        #expect(output.contains(0) && output.contains { $0 > 0 }, "the ReLU cuts some values and passes others")
    }

    private func checkFiniteDifferences(model: AcousticModel, tensor: Int, step h: Float = 1e-2) throws {
        var generator = SeededGenerator(seed: UInt64(100 + tensor))
        let features = Matrix(rows: 9, columns: 5, values: randomValues(45, scale: 1, generator: &generator))
        let labels = Alphabet.english.encode("ab")
        var gradient = Backpropagation.zeroGradient(like: model)
        _ = Backpropagation(model: model).accumulate(features: features, labels: labels, into: &gradient)
        expectGradient(gradient, of: model, tensor: tensor, generator: &generator, step: h) { changed in
            var scratch = Backpropagation.zeroGradient(like: model)
            return Backpropagation(model: changed).accumulate(features: features, labels: labels, into: &scratch)!
        }
    }

    /// Six random entries of one tensor's analytic gradient against central differences of
    /// `objective`, which is given the model with that entry moved by ± `step`.
    private func expectGradient(_ gradient: [[Float]], of model: AcousticModel, tensor: Int, generator: inout SeededGenerator,
                                step h: Float = 1e-2, objective: (AcousticModel) -> Float) {
        func value(_ change: Float, at index: Int) -> Float {
            var changed = model
            changed.tensors[tensor][index] += change
            return objective(changed)
        }
        for _ in 0..<6 {
            let index = Int.random(in: 0..<model.tensors[tensor].count, using: &generator)
            let numeric = (value(h, at: index) - value(-h, at: index)) / (2 * h)
            let analytic = gradient[tensor][index]
            #expect(abs(numeric - analytic) <= 5e-3 + 2e-2 * abs(analytic),
                    "\(model.architecture.tensorShapes[tensor].name)[\(index)]: numeric \(numeric), analytic \(analytic)")
        }
    }

    @Test("A packed batch of different lengths gives each utterance's loss and the sum of their gradients",
          arguments: [(1, 0), (2, 0), (2, 1), (2, 2)])
    func packedBatch(timeReduction: Int, convolutions: Int) throws {
        let model = try Self.tinyModel(timeReduction: timeReduction, convolutions: convolutions)
        var generator = SeededGenerator(seed: 9)
        // 7, 12, 1 and 9 frames; "abc" cannot fit in the 1-frame utterance, which must add nothing.
        let batch = zip([7, 12, 1, 9], ["ab", "ba", "abc", "a"]).map { frames, text in
            TrainingExample(features: Matrix(rows: frames, columns: 5, values: randomValues(frames * 5, scale: 1, generator: &generator)),
                            labels: Alphabet.english.encode(text))
        }
        let backpropagation = Backpropagation(model: model)
        var packed = Backpropagation.zeroGradient(like: model)
        let losses = backpropagation.accumulate(batch, into: &packed)
        var summed = Backpropagation.zeroGradient(like: model)
        for (index, example) in batch.enumerated() {
            let alone = backpropagation.accumulate(features: example.features, labels: example.labels, into: &summed)
            #expect(losses[index] == nil ? alone == nil : abs(losses[index]! - alone!) < 1e-4, "utterance \(index)")
        }
        #expect(losses.count == 4 && losses[2] == nil && losses.compactMap { $0 }.count == 3)
        for tensor in packed.indices {
            let scale = max(1e-3, summed[tensor].map(abs).max()!)
            let difference = zip(packed[tensor], summed[tensor]).map { abs($0 - $1) }.max()!
            #expect(difference <= 1e-4 * scale, "\(model.architecture.tensorShapes[tensor].name): \(difference)")
        }
    }

    @Test("Clipping scales the global norm down, never up")
    func clipping() {
        var gradient: [[Float]] = [[3, 0], [0, 4]]
        #expect(GradientClipping.clipGlobalNorm(&gradient, maximumNorm: 1) == 5)
        #expect(abs(gradient[0][0] - 0.6) < 1e-6 && abs(gradient[1][1] - 0.8) < 1e-6)
        var small: [[Float]] = [[0.3]]
        GradientClipping.clipGlobalNorm(&small, maximumNorm: 1)
        #expect(small == [[0.3]])
    }
}

@Suite("Trainer", .enabled(if: Fixtures.has("data/one-speaker-train"), "needs ../shared/data/one-speaker-train"))
struct TrainerTests {
    @Test("A tiny model overfits four real clips to their exact transcripts")
    func overfit() throws {
        let words = ["left", "right", "stop", "two"]
        let configuration = FeatureConfiguration(normalization: .utterance)
        let extractor = try FeatureExtractor(configuration: configuration)
        let examples = try words.map { word in
            let folder = Fixtures.path("data/one-speaker-train/\(word)")
            let name = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".wav") }.sorted()[0]
            let audio = try AudioDecoder.decode(file: folder + "/" + name)
            return TrainingExample(features: extractor.extract(audio.samples), labels: Alphabet.english.encode(word))
        }
        var model = try AcousticModel(architecture: ModelArchitecture(inputSize: 13, hiddenSize: 32, layerCount: 1, classCount: 29),
                                      features: configuration, alphabet: .english)
        var generator = SeededGenerator(seed: 1)
        model.tensors = model.tensors.map { randomValues($0.count, scale: 0.2, generator: &generator) }
        let trainer = Trainer(model: model)
        let first = trainer.step(examples, learningRate: 0.02).loss
        var decoded: [String] = []
        for _ in 0..<400 {
            trainer.step(examples, learningRate: 0.02)
            let session = InferenceSession(model: trainer.model)
            decoded = examples.map { Alphabet.english.decode(CTCGreedyDecoder.decode(session.logProbabilities($0.features)).labels) }
            if decoded == words { break }
        }
        #expect(decoded == words)
        #expect(trainer.step(examples, learningRate: 0).loss < first / 10)
    }

    @Test("Weight decay shrinks every weight matrix by rate × decay on top of Adam's step and leaves the biases alone")
    func weightDecay() throws {
        var configuration = FeatureConfiguration(kind: .logMel, normalization: .utterance)
        configuration.melBandCount = 13
        var generator = SeededGenerator(seed: 5)
        let example = TrainingExample(features: Matrix(rows: 12, columns: 13, values: randomValues(12 * 13, scale: 1, generator: &generator)),
                                      labels: Alphabet.english.encode("go"))
        var model = try AcousticModel(architecture: ModelArchitecture(inputSize: 13, hiddenSize: 8, layerCount: 1, classCount: 29,
                                                                      convolutions: [Convolution(channels: 2, inputBands: 13)]),
                                      features: configuration, alphabet: .english)
        model.tensors = model.tensors.map { randomValues($0.count, scale: 0.3, generator: &generator) }
        let plain = Trainer(model: model), decayed = Trainer(model: model)
        plain.step([example], learningRate: 0.01)
        decayed.step([example], learningRate: 0.01, weightDecay: 0.5)
        for (index, shape) in model.architecture.tensorShapes.enumerated() {
            let expectedShrink: Float = shape.shape.count > 1 ? 0.01 * 0.5 : 0
            let worst = zip(zip(plain.model.tensors[index], decayed.model.tensors[index]), model.tensors[index])
                .map { pair, old in abs(pair.0 - pair.1 - expectedShrink * old) }.max() ?? 0
            #expect(worst < 1e-6, "\(shape.name): off by \(worst)")
        }
    }
}

