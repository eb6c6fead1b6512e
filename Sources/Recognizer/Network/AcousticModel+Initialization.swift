extension AcousticModel {
    /// Fresh weights for `architecture` from `seed`, by PyTorch's initialisation: every GRU
    /// tensor uniform in ±1/√H, the output layer in ±1/√(2H), each convolution in ±1/√(its patch size).
    public static func randomTensors(_ architecture: ModelArchitecture, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        let convolutions = architecture.convolutions
        return architecture.tensorShapes.enumerated().map { index, tensor in
            let (name, shape) = tensor
            let fanIn = name.hasPrefix("fc.") ? 2 * architecture.hiddenSize
                : index < 2 * convolutions.count ? convolutions[index / 2].patchSize : architecture.hiddenSize
            let bound = 1 / Float(fanIn).squareRoot()
            return (0..<shape.reduce(1, *)).map { _ in Float.random(in: -bound...bound, using: &generator) }
        }
    }
}
