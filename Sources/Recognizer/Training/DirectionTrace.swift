/// One direction of one GRU layer run forward over a packed minibatch with every gate kept
/// (`[Σ T, H]` each), and its backward pass.
///
/// All utterances step together: at step s the hidden states of those still running are one
/// `[B, H]` matrix, so the recurrent product is one `sgemm` per step for the whole batch
/// instead of one `sgemv` per utterance.
struct DirectionTrace {
    /// The six `[Σ T, H]` arrays the backward pass needs, stored one after another.
    enum Slot: Int, CaseIterable {
        /// h_t.
        case hidden
        /// The state before frame t's update.
        case previous
        case reset, update, candidate
        /// W_hn h + b_hn, which the reset gate multiplies.
        case hiddenCandidate
    }

    let hiddenSize: Int
    let layout: PackedLayout
    let reverse: Bool
    private(set) var storage: [Float]

    /// Writes h_t of every row to columns `offset ..< offset + H` of a `[Σ T, stride]` matrix.
    func copyHidden(into output: inout [Float], stride: Int, offset: Int) {
        storage.withUnsafeBufferPointer { kept in
            output.withUnsafeMutableBufferPointer { output in
                let hidden = kept.baseAddress! + Slot.hidden.rawValue * layout.total * hiddenSize
                for row in 0..<layout.total {
                    (output.baseAddress! + row * stride + offset).update(from: hidden + row * hiddenSize, count: hiddenSize)
                }
            }
        }
    }

    /// Runs the direction over `input` (`[Σ T, inputSize]`, packed as `layout` says);
    /// `hiddenWeightsTransposed` is `w`'s ``GRUWeights/hiddenWeightsTransposed``.
    init(weights w: GRUWeights, hiddenWeightsTransposed transposed: [Float], input: [Float], inputSize: Int,
         layout: PackedLayout, reverse: Bool) {
        let h = w.hiddenBias.count / 3, gates = 3 * h, size = layout.total * h
        hiddenSize = h
        self.layout = layout
        self.reverse = reverse
        storage = [Float](overwrittenCount: Slot.allCases.count * size)
        var projection = [Float](overwrittenCount: layout.total * gates)
        input.withUnsafeBufferPointer { x in
            projection.withUnsafeMutableBufferPointer { p in
                BLAS.multiplyTransposed(x.baseAddress!, rows: layout.total, inner: inputSize, w.inputWeights, outputs: gates,
                                        bias: w.inputBias, into: p.baseAddress!)
            }
        }
        let batch = layout.lengths.count
        var states = [Float](repeating: 0, count: batch * h)         // row = rank in layout.order
        var products = [Float](repeating: 0, count: batch * gates)
        // OpenBLAS multiplies a few states by W_hh transposed without transposing (`sgemm` NN, its
        // small-matrix kernel) 1.4–2.6 times as fast as by W_hh itself (NT, which packs W_hh anew
        // every step), to the same bits from three rows up (below three the AVX-512 kernels round
        // NN differently, so those steps keep NT).
        w.hiddenWeights.withUnsafeBufferPointer { wh in
            w.hiddenBias.withUnsafeBufferPointer { bh in
                projection.withUnsafeBufferPointer { x in
                    states.withUnsafeMutableBufferPointer { s in
                        products.withUnsafeMutableBufferPointer { g in
                            storage.withUnsafeMutableBufferPointer { kept in
                                for step in 0..<layout.steps {
                                    let active = layout.activeCounts[step]
                                    if active >= 3 {
                                        transposed.withUnsafeBufferPointer { whT in
                                            BLAS.multiply(s.baseAddress!, transposingA: false, whT.baseAddress!, transposingB: false,
                                                          m: active, n: gates, k: h, beta: 0, into: g.baseAddress!)
                                        }
                                    } else {
                                        BLAS.multiplyTransposed(s.baseAddress!, rows: active, inner: h, wh.baseAddress!, outputs: gates,
                                                                bias: nil, into: g.baseAddress!)
                                    }
                                    for rank in 0..<active {
                                        let index = layout.order[rank]
                                        let row = layout.row(index, frame: layout.frame(index, step: step, reverse: reverse))
                                        Self.step(kept: kept.baseAddress! + row * h, slotStride: size, hiddenSize: h,
                                                  state: s.baseAddress! + rank * h, projection: x.baseAddress! + row * gates,
                                                  hiddenProduct: g.baseAddress! + rank * gates, hiddenBias: bh.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The gate arithmetic of one step, eight units at a time: the formulas of ``GRUCell``
    /// with every intermediate written to its slot (`kept + slot * slotStride`).
    @inline(__always)
    private static func step(kept: UnsafeMutablePointer<Float>, slotStride: Int, hiddenSize size: Int,
                             state: UnsafeMutablePointer<Float>, projection x: UnsafePointer<Float>,
                             hiddenProduct gh: UnsafePointer<Float>, hiddenBias bh: UnsafePointer<Float>) {
        func slot(_ s: Slot) -> UnsafeMutablePointer<Float> { kept + s.rawValue * slotStride }
        let (hidden, previous, reset, update) = (slot(.hidden), slot(.previous), slot(.reset), slot(.update))
        let (candidate, hiddenCandidate) = (slot(.candidate), slot(.hiddenCandidate))
        var j = 0
        while j < size {
            let r = Activations.sigmoid(Activations.load(x + j) + Activations.load(gh + j) + Activations.load(bh + j))
            let z = Activations.sigmoid(Activations.load(x + size + j) + Activations.load(gh + size + j)
                                        + Activations.load(bh + size + j))
            let hn = Activations.load(gh + 2 * size + j) + Activations.load(bh + 2 * size + j)
            let n = Activations.tanh(Activations.load(x + 2 * size + j) + r * hn)
            let before = Activations.load(state + j)
            let after = n + z * (before - n)
            Activations.store(before, previous + j)
            Activations.store(r, reset + j)
            Activations.store(z, update + j)
            Activations.store(n, candidate + j)
            Activations.store(hn, hiddenCandidate + j)
            Activations.store(after, hidden + j)
            Activations.store(after, state + j)
            j += 8
        }
    }

    /// Backpropagates `outputGradient` (columns `outputOffset ..< +H` of a packed
    /// `[Σ T, outputStride]` matrix) through time; adds weight gradients and the gradient of
    /// the input (`[Σ T, inputSize]`).
    func backward(weights w: GRUWeights, input: [Float], inputSize: Int, outputGradient: [Float], outputStride: Int,
                  outputOffset: Int, inputWeights dWi: inout [Float], hiddenWeights dWh: inout [Float],
                  inputBias dBi: inout [Float], hiddenBias dBh: inout [Float], inputGradient dX: inout [Float]) {
        let h = hiddenSize, gates = 3 * h, total = layout.total, batch = layout.lengths.count
        var dProjection = [Float](overwrittenCount: total * gates)   // ∂/∂(W_ih x + b_ih)
        var dProduct = [Float](overwrittenCount: total * gates)      // ∂/∂(W_hh h + b_hh)
        var stepProduct = [Float](repeating: 0, count: batch * gates)   // this step's rows of dProduct, by rank
        var carried = [Float](repeating: 0, count: batch * h)           // ∂/∂h from later steps, by rank
        var next = carried                                              // ∂/∂h for the step before
        storage.withUnsafeBufferPointer { kept in
            outputGradient.withUnsafeBufferPointer { og in
                w.hiddenWeights.withUnsafeBufferPointer { wh in
                    dProjection.withUnsafeMutableBufferPointer { dpi in
                        dProduct.withUnsafeMutableBufferPointer { dph in
                            stepProduct.withUnsafeMutableBufferPointer { sp in
                                for step in stride(from: layout.steps - 1, through: 0, by: -1) {
                                    let active = layout.activeCounts[step]
                                    carried.withUnsafeBufferPointer { c in
                                        next.withUnsafeMutableBufferPointer { n in
                                            for rank in 0..<active {
                                                let index = layout.order[rank]
                                                let row = layout.row(index, frame: layout.frame(index, step: step, reverse: reverse))
                                                Self.stepBack(kept: kept.baseAddress! + row * h, slotStride: total * h, hiddenSize: h,
                                                              outputGradient: og.baseAddress! + row * outputStride + outputOffset,
                                                              carried: c.baseAddress! + rank * h, next: n.baseAddress! + rank * h,
                                                              projectionGradient: dpi.baseAddress! + row * gates,
                                                              productGradient: dph.baseAddress! + row * gates,
                                                              stepProduct: sp.baseAddress! + rank * gates)
                                            }
                                            // ∂h_{t−1} += ∂(W_hh h + b_hh) · W_hh, all running utterances at once.
                                            BLAS.multiply(sp.baseAddress!, transposingA: false, wh.baseAddress!, transposingB: false,
                                                          m: active, n: h, k: gates, beta: 1, into: n.baseAddress!)
                                        }
                                    }
                                    swap(&carried, &next)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Weight gradients over all frames of all utterances at once.
        dProjection.withUnsafeBufferPointer { dp in
            input.withUnsafeBufferPointer { x in
                dWi.withUnsafeMutableBufferPointer { dw in
                    BLAS.multiply(dp.baseAddress!, transposingA: true, x.baseAddress!, transposingB: false,
                                  m: gates, n: inputSize, k: total, beta: 1, into: dw.baseAddress!)
                }
            }
            w.inputWeights.withUnsafeBufferPointer { wi in
                dX.withUnsafeMutableBufferPointer { dx in
                    BLAS.multiply(dp.baseAddress!, transposingA: false, wi.baseAddress!, transposingB: false,
                                  m: total, n: inputSize, k: gates, beta: 1, into: dx.baseAddress!)
                }
            }
        }
        dProduct.withUnsafeBufferPointer { dp in
            storage.withUnsafeBufferPointer { kept in
                dWh.withUnsafeMutableBufferPointer { dw in
                    BLAS.multiply(dp.baseAddress!, transposingA: true, kept.baseAddress! + Slot.previous.rawValue * total * h,
                                  transposingB: false, m: gates, n: h, k: total, beta: 1, into: dw.baseAddress!)
                }
            }
        }
        dProjection.withUnsafeBufferPointer { dp in
            dBi.withUnsafeMutableBufferPointer { Backpropagation.addColumnSums(dp, columns: gates, into: $0) }
        }
        dProduct.withUnsafeBufferPointer { dp in
            dBh.withUnsafeMutableBufferPointer { Backpropagation.addColumnSums(dp, columns: gates, into: $0) }
        }
    }

    /// One frame's gate gradients, eight units at a time: from ∂L/∂h_t (the output's share plus
    /// `carried`) to the gradients of both pre-activations and `next` = ∂h_t/∂h_{t−1} through
    /// the update gate (the recurrent product is added by the caller).
    @inline(__always)
    private static func stepBack(kept: UnsafePointer<Float>, slotStride: Int, hiddenSize h: Int,
                                 outputGradient og: UnsafePointer<Float>, carried: UnsafePointer<Float>,
                                 next: UnsafeMutablePointer<Float>, projectionGradient dpi: UnsafeMutablePointer<Float>,
                                 productGradient dph: UnsafeMutablePointer<Float>, stepProduct sp: UnsafeMutablePointer<Float>) {
        func slot(_ s: Slot) -> UnsafePointer<Float> { kept + s.rawValue * slotStride }
        let (previous, reset, update) = (slot(.previous), slot(.reset), slot(.update))
        let (candidate, hiddenCandidate) = (slot(.candidate), slot(.hiddenCandidate))
        var j = 0
        while j < h {
            let dh = Activations.load(og + j) + Activations.load(carried + j)
            let r = Activations.load(reset + j), z = Activations.load(update + j), n = Activations.load(candidate + j)
            let dn = dh * (1 - z)
            let dz = dh * (Activations.load(previous + j) - n)
            let dan = dn * (1 - n * n)
            let dar = dan * Activations.load(hiddenCandidate + j) * r * (1 - r)
            let daz = dz * z * (1 - z)
            let dahn = dan * r
            Activations.store(dar, dpi + j)
            Activations.store(daz, dpi + h + j)
            Activations.store(dan, dpi + 2 * h + j)
            Activations.store(dar, dph + j)
            Activations.store(daz, dph + h + j)
            Activations.store(dahn, dph + 2 * h + j)
            Activations.store(dar, sp + j)
            Activations.store(daz, sp + h + j)
            Activations.store(dahn, sp + 2 * h + j)
            Activations.store(dh * z, next + j)
            j += 8
        }
    }
}
