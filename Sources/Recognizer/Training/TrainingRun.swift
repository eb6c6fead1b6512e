import Audio
import Features
import Foundation

/// A training run: a ``TrainingConfiguration`` carried out epoch by epoch, with a checkpoint
/// after every epoch that the next run of the same configuration resumes from.
///
/// ```swift
/// var configuration = TrainingConfiguration()
/// configuration.folders = ["my-words"]
/// let run = TrainingRun(configuration: configuration, checkpoints: "run")
/// let model = try run.run { event in if case .epochFinished(let epoch) = event { print(epoch.loss) } }
/// try ModelFile.write(model, to: "mine.lstn")
/// ```
public final class TrainingRun {
    /// What the run reports while it works, in order (``preparing(label:done:total:)`` from
    /// worker threads).
    public enum Event: Sendable {
        /// Clips decoded and featurised so far for `label` ("training features", "held-out features").
        case preparing(label: String, done: Int, total: Int)
        /// A clip left out: it cannot be read or spelled.
        case skipped(path: String, reason: String)
        /// The data of an epoch, once prepared.
        case prepared(TrainingData)
        /// Training goes on from a checkpoint after `epoch` epochs and `step` updates.
        case resumed(epoch: Int, step: Int)
        /// Update `update` (1-based) of `updates` in epoch `epoch` (1-based) of `epochs`, and its loss.
        case update(epoch: Int, epochs: Int, update: Int, updates: Int, loss: Float)
        /// An epoch ended and its checkpoint is written.
        case epochFinished(EpochReport)
    }

    /// What the run trains on, per epoch.
    public struct TrainingData: Sendable {
        /// Clips per source (`--real` folders as "folders") and their weight.
        public var sources: [(name: String, clips: Int, weight: Int)]
        /// Clips from manifests and from folders, and how many times each folder clip is seen per epoch.
        public var manifestClips: Int
        public var folderClips: Int
        public var folderWeight: Int
        /// Clip views per epoch, and after ``TrainingConfiguration/balance`` (nil when off).
        public var perEpoch: Int
        public var afterBalance: Int?
        /// Held-out clips scored after every epoch.
        public var heldOut: Int
    }

    /// One epoch's figures.
    public struct EpochReport: Sendable {
        /// Epochs done (1-based) and of how many.
        public var epoch: Int
        public var epochs: Int
        /// The last reported mean training loss.
        public var loss: Double?
        /// Greedy exact-transcript accuracy on the held-out clips, 0–1.
        public var heldOutAccuracy: Double
        /// Each monitored set's name, its command clips and those recognised exactly.
        public var monitors: [(name: String, clips: Int, correct: Int)]
        /// Seconds of this epoch and of the run so far.
        public var seconds: Double
        public var totalSeconds: Double
    }

    /// The configuration being run.
    public let configuration: TrainingConfiguration
    /// The checkpoint folder.
    public let checkpoints: String
    /// Whether an existing checkpoint is ignored.
    public let restart: Bool
    /// Worker threads for preparing the data and scoring.
    public let jobs: Int
    /// Where the run stands (read it after ``run(events:)`` for the loss and accuracy curves).
    public private(set) var state: TrainingState

    /// Prepares a run; nothing is read until ``run(events:)``.
    /// - Parameters:
    ///   - configuration: what to train.
    ///   - checkpoints: the folder of checkpoints; one there is resumed unless `restart`.
    ///   - restart: start again even if `checkpoints` holds a checkpoint.
    ///   - jobs: worker threads for the data and scoring (training itself runs on two threads).
    public init(configuration: TrainingConfiguration, checkpoints: String, restart: Bool = false,
                jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.configuration = configuration
        self.checkpoints = checkpoints
        self.restart = restart
        self.jobs = max(1, jobs)
        state = TrainingState(seed: configuration.seed)
    }

    /// Trains to the end of the configured epochs, writing a checkpoint after every one.
    /// - Parameter events: called with the run's progress (see ``Event``).
    /// - Returns: the trained model (the weight average if the run keeps one), with the
    ///   configuration, the training time and the figures in its metadata.
    /// - Throws: ``RecognizerError`` for a bad configuration, unreadable data, or a checkpoint
    ///   that is damaged or of another front end or network; file errors writing checkpoints.
    public func run(events: @escaping @Sendable (Event) -> Void = { _ in }) throws -> AcousticModel {
        let c = configuration
        try c.validate()
        let features = c.features
        var embedding: SpeechEmbedding?
        if let folder = c.speechEmbedding {
            do {
                embedding = try SpeechEmbedding.read(folder: folder)
            } catch {
                throw RecognizerError.trainingFailed("speech embedding \(folder): \(error)")
            }
        }
        let vocabulary = try Vocabulary(c.vocabulary)
        let data = try TrainingSet(configuration: c, features: features, embedding: embedding, jobs: jobs, events: events)
        events(.prepared(data.summary))

        // Model and optimizer: a checkpoint if there is one, else fresh weights.
        let architecture = c.architecture
        var checkpoint: TrainingCheckpoint
        if !restart, let saved = try readCheckpoint() {
            // The clips were just featurised with this configuration's front end: a checkpoint of
            // another front end or network would be trained on features it was not built for.
            guard saved.model.features == features, saved.model.architecture == architecture, saved.model.speechEmbedding == embedding else {
                throw RecognizerError.trainingFailed("cannot resume from \(checkpoints): its model has other features or layers than this "
                                                     + "run asks for (run the configuration that started it, or restart)")
            }
            checkpoint = saved
            events(.resumed(epoch: saved.state.epoch, step: saved.state.step))
        } else {
            var model = try AcousticModel(architecture: architecture, features: features, alphabet: .english,
                                          defaultVocabulary: vocabulary.entries)
            model.speechEmbedding = embedding
            model.tensors = AcousticModel.randomTensors(architecture, seed: c.seed)
            checkpoint = TrainingCheckpoint(model: model, optimizer: AdamOptimizer(like: model.tensors), state: TrainingState(seed: c.seed))
        }
        let trainer = Trainer(model: checkpoint.model, optimizer: checkpoint.optimizer)
        state = checkpoint.state
        var average = c.averageDecay > 0
            ? WeightAverage(decay: c.averageDecay, tensors: checkpoint.average ?? checkpoint.model.tensors,
                            updates: checkpoint.average == nil ? 0 : state.step) : nil
        // The weights that are scored and written: the average if the run keeps one.
        func finished() -> AcousticModel {
            var model = trainer.model
            if let average { model.tensors = average.tensors }
            return model
        }
        let epochSizes = (0..<c.epochs).map { data.clipsOfEpoch($0).count }
        // Warm-up over 300 updates, or a tenth of a short run's.
        let totalSteps = epochSizes.reduce(0) { $0 + ($1 + c.batchSize - 1) / c.batchSize }
        let schedule = LearningRateSchedule(peak: c.learningRate, floor: c.finalLearningRate ?? c.learningRate * 0.05,
                                            warmupSteps: min(300, max(1, totalSteps / 10)), totalSteps: totalSteps)
        let augmentation = try Augmentation(configuration: c, features: features, embedding: embedding, data: data)
        let monitorDecoding = Recognizer.Decoding.vocabulary(vocabulary)
        var reportsUnreadable = true

        while state.epoch < c.epochs {
            let started = Date()
            var order = data.clipsOfEpoch(state.epoch)
            let updates = (order.count + c.batchSize - 1) / c.batchSize
            var shuffler = SeededGenerator(seed: c.seed &+ UInt64(state.epoch) &* 7919)
            order.shuffle(using: &shuffler)
            var intervalLoss = 0.0, intervalCount = 0
            // A point of the loss curve: the mean since the last one (every 50 updates, and at the epoch's end).
            func recordLoss() {
                guard intervalCount > 0 else { return }
                state.losses.append([Double(state.step), intervalLoss / Double(intervalCount)])
                intervalLoss = 0
                intervalCount = 0
            }
            // The views of the batch that starts at `batchStart` and trains as update `step`.
            let epochOrder = order, seed = c.seed, batchSize = c.batchSize
            func views(from batchStart: Int, step: Int) throws -> [TrainingExample] {
                try epochOrder[batchStart..<min(epochOrder.count, batchStart + batchSize)].enumerated().map { offset, index in
                    try augmentation.view(of: index, seed: seed ^ UInt64(step &* 1_000_003 &+ offset))
                }
            }
            var upcoming = Prefetch { [step = state.step] in try views(from: 0, step: step) }
            for batchStart in stride(from: 0, to: order.count, by: batchSize) {
                let batch = try upcoming.value()
                let nextStart = batchStart + batchSize
                if nextStart < order.count {
                    upcoming = Prefetch { [step = state.step + 1] in try views(from: nextStart, step: step) }
                }
                let result = trainer.step(batch, learningRate: schedule.rate(at: state.step), weightDecay: c.weightDecay)
                state.step += 1
                average?.update(with: trainer.model.tensors)
                if result.used > 0 && result.loss.isFinite {
                    intervalLoss += Double(result.loss)
                    intervalCount += 1
                }
                if state.step % 50 == 0 { recordLoss() }
                events(.update(epoch: state.epoch + 1, epochs: c.epochs, update: batchStart / batchSize + 1, updates: updates, loss: result.loss))
            }
            recordLoss()  // so an epoch of fewer than 50 updates has a loss too
            let scored = finished()
            let accuracy = Self.accuracy(of: scored, on: data.heldOut, jobs: jobs)
            state.accuracies.append(accuracy)
            var monitors: [(name: String, clips: Int, correct: Int)] = [], series = state.monitored ?? [:]
            for (path, clips) in data.monitored {
                let (report, unreadable) = try EvaluationReport.measure(clips, model: scored, decoding: monitorDecoding,
                                                                        vocabulary: vocabulary, jobs: jobs)
                if reportsUnreadable { for (file, error) in unreadable { events(.skipped(path: file, reason: inputErrorReason(error))) } }
                let (count, correct) = report.commandTally
                let share = count > 0 ? Double(correct) / Double(count) : .nan  // nan: the set holds no command clips
                series[path, default: []].append([Double(state.epoch + 1), share])
                monitors.append((Self.monitorName(path), count, correct))
            }
            reportsUnreadable = false
            if !data.monitored.isEmpty { state.monitored = series }
            state.epoch += 1
            state.seconds += Date().timeIntervalSince(started)
            try TrainingCheckpoint(model: trainer.model, optimizer: trainer.optimizer, state: state,
                                   average: average?.tensors).write(to: checkpoints)
            events(.epochFinished(EpochReport(epoch: state.epoch, epochs: c.epochs, loss: state.losses.last?[1], heldOutAccuracy: accuracy,
                                              monitors: monitors, seconds: Date().timeIntervalSince(started), totalSeconds: state.seconds)))
        }

        var model = finished()
        var metrics = ["heldout_accuracy": state.accuracies.last ?? 0, "epochs": Double(state.epoch),
                       "updates": Double(state.step), "parameters": Double(model.architecture.parameterCount)]
        for (path, points) in state.monitored ?? [:] {
            if let last = points.last, last[0] == Double(state.epoch) { metrics["accuracy:" + Self.monitorName(path)] = last[1] }
        }
        model.metadata = ModelMetadata(created: ISO8601DateFormatter().string(from: Date()), dataRecipe: data.recipe,
                                       trainingSeconds: state.seconds.rounded(), metrics: metrics, trainingConfiguration: c)
        return model
    }

    /// How reports and the model's metrics name a monitored set: its file or folder name.
    public static func monitorName(_ path: String) -> String {
        URL(fileURLWithPath: path).lastPathComponent
    }

    private func readCheckpoint() throws -> TrainingCheckpoint? {
        do {
            return try TrainingCheckpoint.read(from: checkpoints)
        } catch {
            throw RecognizerError.trainingFailed("cannot resume from \(checkpoints): \(error) (restart to start again)")
        }
    }

    /// Share of clips whose greedy transcript is exactly their text.
    static func accuracy(of model: AcousticModel, on examples: [TrainingExample], jobs: Int) -> Double {
        guard !examples.isEmpty else { return 0 }
        let correct = (try? ParallelMap.map(count: examples.count, jobs: jobs, makeWorker: { InferenceSession(model: model) }) { session, index -> Bool in
            let path = CTCGreedyDecoder.decode(session.logProbabilities(examples[index].features))
            return path.labels == examples[index].labels
        }) ?? []
        return Double(correct.filter { $0 }.count) / Double(examples.count)
    }
}
