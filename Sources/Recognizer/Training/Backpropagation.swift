import Features
import Foundation

/// Backpropagation through time for an ``AcousticModel``: the forward pass keeping every
/// gate, then gradients of the CTC loss for every tensor of every layer and direction and
/// of the convolutions in front of them.
///
/// A minibatch of different lengths is packed without padding (``PackedLayout``); its
/// gradient is the sum of its utterances' gradients.
package struct Backpropagation: Sendable {
    /// The model whose gradient is computed.
    package let model: AcousticModel
    /// Each layer's and direction's ``GRUWeights/hiddenWeightsTransposed``, made once for the
    /// update and read by both threads' halves.
    let hiddenWeightsTransposed: [[[Float]]]

    /// Prepares backpropagation for a model.
    package init(model: AcousticModel) {
        BLAS.useSingleThread()
        self.model = model
        hiddenWeightsTransposed = model.layers.map { $0.map(\.hiddenWeightsTransposed) }
    }

    /// Zero gradients shaped like ``AcousticModel/tensors``.
    package static func zeroGradient(like model: AcousticModel) -> [[Float]] {
        model.tensors.map { [Float](repeating: 0, count: $0.count) }
    }

    /// The CTC loss of one utterance; adds its gradient to `gradient`.
    /// - Parameters:
    ///   - features: `[T, inputSize]`.
    ///   - labels: target classes (no blanks).
    ///   - gradient: tensors in ``AcousticModel/tensors`` order; the utterance's gradient is added.
    /// - Returns: the loss, or nil (gradient untouched) when the labels cannot fit in the output frames (T, or ⌈T / timeReduction⌉).
    package func accumulate(features: Matrix, labels: [Int], into gradient: inout [[Float]]) -> Float? {
        accumulate([TrainingExample(features: features, labels: labels)], into: &gradient)[0]
    }

    /// The CTC losses of several utterances of any lengths, run together; adds the sum of
    /// their gradients to `gradient`.
    ///
    /// Their frames are packed one after another (no padding), so every product over frames
    /// is one matrix product for the whole batch, and the recurrence steps all of them at once.
    /// - Parameters:
    ///   - batch: utterances, `[T, inputSize]` features each.
    ///   - gradient: tensors in ``AcousticModel/tensors`` order.
    /// - Returns: each utterance's loss, or nil for one whose labels cannot fit in its output
    ///   frames (it adds nothing to the gradient).
    package func accumulate(_ batch: [TrainingExample], into gradient: inout [[Float]]) -> [Float?] {
        let a = model.architecture
        for example in batch {
            precondition(example.features.columns == a.inputSize,
                         "model reads \(a.inputSize) values per frame, got \(example.features.columns)")
        }
        guard !batch.isEmpty else { return [] }
        let width = 2 * a.hiddenSize
        let full = PackedLayout(lengths: batch.map(\.features.rows))
        let reduced = PackedLayout(lengths: full.lengths.map(a.reducedFrames))
        func layout(_ layer: Int) -> PackedLayout { layer == 0 ? full : reduced }
        // Forward, keeping each layer's input and each direction's gates (and each
        // convolution's patches, whose product with its output gradient is its weight gradient,
        // and its output, positive exactly where the ReLU passed).
        var inputs: [[Float]] = [batch.flatMap(\.features.values)]
        var patches: [[Float]] = []
        var convolved: [[Float]] = []
        for (index, convolution) in a.convolutions.enumerated() {
            let rowCount = full.total * convolution.outputBands
            var rows = [Float](overwrittenCount: rowCount * convolution.patchSize)
            var output = [Float](overwrittenCount: full.total * convolution.outputSize)
            (convolved.last ?? inputs[0]).withUnsafeBufferPointer { input in
                rows.withUnsafeMutableBufferPointer { rows in
                    for utterance in batch.indices {
                        convolution.patches(input.baseAddress! + full.offsets[utterance] * convolution.inputSize, frames: full.lengths[utterance],
                                            into: rows.baseAddress! + full.offsets[utterance] * convolution.outputBands * convolution.patchSize)
                    }
                }
            }
            rows.withUnsafeBufferPointer { rows in
                output.withUnsafeMutableBufferPointer {
                    convolution.apply(patches: rows.baseAddress!, rows: rowCount, weights: model.convolutionWeights[index],
                                      bias: model.convolutionBiases[index], into: $0.baseAddress!)
                }
            }
            patches.append(rows)
            convolved.append(output)
        }
        if let last = convolved.last { inputs[0] = last }
        var traces: [[DirectionTrace]] = []
        for layer in 0..<a.layerCount {
            let rows = layout(layer)
            var output = [Float](overwrittenCount: rows.total * width)
            var layerTraces: [DirectionTrace] = []
            for direction in 0..<2 {
                let trace = DirectionTrace(weights: model.layers[layer][direction],
                                           hiddenWeightsTransposed: hiddenWeightsTransposed[layer][direction], input: inputs[layer],
                                           inputSize: a.layerInputSize(layer), layout: rows, reverse: direction == 1)
                trace.copyHidden(into: &output, stride: width, offset: direction * a.hiddenSize)
                layerTraces.append(trace)
            }
            traces.append(layerTraces)
            if layer == 0 && reduced.total < full.total {
                var averaged = [Float](repeating: 0, count: reduced.total * width)
                output.withUnsafeMutableBufferPointer { frames in
                    for index in batch.indices {
                        let source = frames.baseAddress! + full.offsets[index] * width
                        let count = TimeReduction.average(source, frames: full.lengths[index], width: width, factor: a.timeReduction)
                        averaged.replaceSubrange(reduced.rows(index).lowerBound * width..<reduced.rows(index).upperBound * width,
                                                 with: UnsafeBufferPointer(start: source, count: count * width))
                    }
                }
                output = averaged
            }
            inputs.append(output)
        }
        var logits = Matrix(rows: reduced.total, columns: a.classCount)
        inputs[a.layerCount].withUnsafeBufferPointer { hidden in
            logits.values.withUnsafeMutableBufferPointer { out in
                BLAS.multiplyTransposed(hidden.baseAddress!, rows: reduced.total, inner: width, model.outputWeights,
                                        outputs: a.classCount, bias: model.outputBias, into: out.baseAddress!)
                Activations.logSoftmaxRows(out.baseAddress!, rows: reduced.total, columns: a.classCount)
            }
        }
        var losses: [Float?] = []
        var logitGradient = Matrix(rows: reduced.total, columns: a.classCount)
        for (index, example) in batch.enumerated() {
            let range = reduced.rows(index).lowerBound * a.classCount..<reduced.rows(index).upperBound * a.classCount
            let own = Matrix(rows: reduced.lengths[index], columns: a.classCount, values: Array(logits.values[range]))
            guard let (loss, ownGradient) = CTCLoss.lossAndGradient(own, labels: example.labels) else {
                losses.append(nil)
                continue
            }
            losses.append(loss)
            logitGradient.values.replaceSubrange(range, with: ownGradient.values)
        }
        guard losses.contains(where: { $0 != nil }) else { return losses }

        // Output layer: dW = dLᵀ · H, db = Σ dL, dH = dL · W.
        let tensorCount = gradient.count
        var upstream = [Float](overwrittenCount: reduced.total * width)
        logitGradient.values.withUnsafeBufferPointer { dl in
            inputs[a.layerCount].withUnsafeBufferPointer { hidden in
                gradient[tensorCount - 2].withUnsafeMutableBufferPointer { dw in
                    BLAS.multiply(dl.baseAddress!, transposingA: true, hidden.baseAddress!, transposingB: false,
                                  m: a.classCount, n: width, k: reduced.total, beta: 1, into: dw.baseAddress!)
                }
            }
            model.outputWeights.withUnsafeBufferPointer { w in
                upstream.withUnsafeMutableBufferPointer { dh in
                    BLAS.multiply(dl.baseAddress!, transposingA: false, w.baseAddress!, transposingB: false,
                                  m: reduced.total, n: width, k: a.classCount, beta: 0, into: dh.baseAddress!)
                }
            }
        }
        logitGradient.values.withUnsafeBufferPointer { dl in
            gradient[tensorCount - 1].withUnsafeMutableBufferPointer { Self.addColumnSums(dl, columns: a.classCount, into: $0) }
        }

        // GRU layers, last to first; each passes the gradient of its input down.
        for layer in stride(from: a.layerCount - 1, through: 0, by: -1) {
            let inputSize = a.layerInputSize(layer)
            if layer == 0 && reduced.total < full.total {
                upstream = batch.indices.flatMap { index in
                    let range = reduced.rows(index)
                    return TimeReduction.spread(Array(upstream[range.lowerBound * width..<range.upperBound * width]),
                                                frames: full.lengths[index], width: width, factor: a.timeReduction)
                }
            }
            var inputGradient = [Float](repeating: 0, count: layout(layer).total * inputSize)
            for direction in 0..<2 {
                let base = a.gruTensorIndex(layer: layer, direction: direction)
                var (dWi, dWh, dBi, dBh) = (gradient[base], gradient[base + 1], gradient[base + 2], gradient[base + 3])
                traces[layer][direction].backward(
                    weights: model.layers[layer][direction], input: inputs[layer], inputSize: inputSize,
                    outputGradient: upstream, outputStride: width, outputOffset: direction * a.hiddenSize,
                    inputWeights: &dWi, hiddenWeights: &dWh, inputBias: &dBi, hiddenBias: &dBh, inputGradient: &inputGradient)
                (gradient[base], gradient[base + 1], gradient[base + 2], gradient[base + 3]) = (dWi, dWh, dBi, dBh)
            }
            upstream = inputGradient
        }

        // Convolutions, last to first: through the ReLU, then dW = dPreᵀ · patches, db = Σ dPre
        // over every output position, and (below the last) the patches' gradient dPre · W
        // added back to the input values they were copied from.
        for (index, convolution) in a.convolutions.enumerated().reversed() {
            let rows = full.total * convolution.outputBands
            convolved[index].withUnsafeBufferPointer { output in
                upstream.withUnsafeMutableBufferPointer { upstream in
                    for i in upstream.indices where output[i] <= 0 { upstream[i] = 0 }
                }
            }
            upstream.withUnsafeBufferPointer { dPre in
                patches[index].withUnsafeBufferPointer { p in
                    gradient[2 * index].withUnsafeMutableBufferPointer { dw in
                        BLAS.multiply(dPre.baseAddress!, transposingA: true, p.baseAddress!, transposingB: false,
                                      m: convolution.channels, n: convolution.patchSize, k: rows, beta: 1, into: dw.baseAddress!)
                    }
                }
            }
            upstream.withUnsafeBufferPointer { dPre in
                gradient[2 * index + 1].withUnsafeMutableBufferPointer { Self.addColumnSums(dPre, columns: convolution.channels, into: $0) }
            }
            guard index > 0 else { break }
            var patchGradient = [Float](overwrittenCount: rows * convolution.patchSize)
            var inputGradient = [Float](repeating: 0, count: full.total * convolution.inputSize)
            upstream.withUnsafeBufferPointer { dPre in
                model.convolutionWeights[index].withUnsafeBufferPointer { w in
                    patchGradient.withUnsafeMutableBufferPointer { dp in
                        BLAS.multiply(dPre.baseAddress!, transposingA: false, w.baseAddress!, transposingB: false,
                                      m: rows, n: convolution.patchSize, k: convolution.channels, beta: 0, into: dp.baseAddress!)
                    }
                }
            }
            patchGradient.withUnsafeBufferPointer { dp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for utterance in batch.indices {
                        convolution.addPatchGradient(dp.baseAddress! + full.offsets[utterance] * convolution.outputBands * convolution.patchSize,
                                                     frames: full.lengths[utterance],
                                                     into: dx.baseAddress! + full.offsets[utterance] * convolution.inputSize)
                    }
                }
            }
            upstream = inputGradient
        }
        return losses
    }

    /// Adds the sum of each column of a row-major `[rows, columns]` matrix to `sums`, row by
    /// row (the bias gradients).
    static func addColumnSums(_ matrix: UnsafeBufferPointer<Float>, columns: Int, into sums: UnsafeMutableBufferPointer<Float>) {
        var row = 0
        while row < matrix.count {
            for c in 0..<columns { sums[c] += matrix[row + c] }
            row += columns
        }
    }
}
