import Foundation

/// Where a training run stands, saved after every epoch so an interrupted run resumes.
public struct TrainingState: Sendable, Codable {
    /// Epochs finished.
    public var epoch: Int
    /// Updates taken.
    public var step: Int
    /// The seed the run started from; shuffles and masks derive from it and the epoch.
    public var seed: UInt64
    /// Mean training loss per reporting interval, with the update it ends at.
    public var losses: [[Double]]
    /// Held-out accuracy after each epoch, in [0, 1].
    public var accuracies: [Double]
    /// Per set of clips scored after every epoch (`listen train --monitor`), its pairs of
    /// [epoch, command accuracy in 0–1]; nil in runs without one.
    public var monitored: [String: [[Double]]]?
    /// Seconds spent training across all resumptions.
    public var seconds: Double

    /// A run that has not started.
    public init(seed: UInt64) {
        epoch = 0
        step = 0
        self.seed = seed
        losses = []
        accuracies = []
        seconds = 0
    }
}

/// A checkpoint folder: the model (`model.lstn`), Adam's two moments and the weight
/// average if the run keeps one (`adam-m.lstn`, `adam-v.lstn`, `average.lstn`, stored as
/// models too, so they get the same checks) and the run's ``TrainingState`` (`state.json`).
/// Each file is written atomically and the state last, so a kill never leaves a state that
/// points at missing weights.
package struct TrainingCheckpoint: Sendable {
    package var model: AcousticModel
    package var optimizer: AdamOptimizer
    package var state: TrainingState
    /// The moving average of the weights, for runs that keep one.
    package var average: [[Float]]?

    /// Bundles a run's parts.
    package init(model: AcousticModel, optimizer: AdamOptimizer, state: TrainingState, average: [[Float]]? = nil) {
        self.model = model
        self.optimizer = optimizer
        self.state = state
        self.average = average
    }

    /// Writes the checkpoint into `folder`, creating it if needed.
    package func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (first, second) = optimizer.moments
        var firstMoment = model, secondMoment = model
        firstMoment.tensors = first
        secondMoment.tensors = second
        try ModelFile.write(firstMoment, to: folder + "/adam-m.lstn")
        try ModelFile.write(secondMoment, to: folder + "/adam-v.lstn")
        if let average {
            var averaged = model
            averaged.tensors = average
            try ModelFile.write(averaged, to: folder + "/average.lstn")
        } else if FileManager.default.fileExists(atPath: folder + "/average.lstn") {
            // A run resumed without its average: an old one left here would be read back as current.
            try FileManager.default.removeItem(atPath: folder + "/average.lstn")
        }
        try ModelFile.write(model, to: folder + "/model.lstn")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var stateData = try encoder.encode(state)
        stateData.append(contentsOf: [UInt8(ascii: "\n")])
        try stateData.write(to: URL(fileURLWithPath: folder + "/state.json"), options: .atomic)
    }

    /// Reads the checkpoint in `folder`, or nil when the folder holds none.
    /// - Throws: ``ModelError`` or a decoding error when a checkpoint is there but damaged.
    package static func read(from folder: String) throws -> TrainingCheckpoint? {
        guard FileManager.default.fileExists(atPath: folder + "/state.json") else { return nil }
        let state = try JSONDecoder().decode(TrainingState.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/state.json")))
        let model = try ModelFile.read(folder + "/model.lstn")
        let first = try ModelFile.read(folder + "/adam-m.lstn").tensors
        let second = try ModelFile.read(folder + "/adam-v.lstn").tensors
        let averagePath = folder + "/average.lstn"
        let average = FileManager.default.fileExists(atPath: averagePath) ? try ModelFile.read(averagePath).tensors : nil
        return TrainingCheckpoint(model: model, optimizer: AdamOptimizer(step: state.step, firstMoment: first, secondMoment: second),
                                  state: state, average: average)
    }

}
