import Foundation
import Recognizer
import TestSupport
import Testing

/// Training as a library type: a configuration run epoch by epoch, in process.
@Suite("Training run")
struct TrainingRunTests {
    /// Events of a run, gathered from whichever thread reports them.
    final class Recorder: @unchecked Sendable {
        // Safe: `events` is only touched under `lock`.
        private let lock = NSLock()
        private var events: [TrainingRun.Event] = []
        func record(_ event: TrainingRun.Event) { lock.withLock { events.append(event) } }
        var recorded: [TrainingRun.Event] { lock.withLock { events } }
    }

    static func configuration(corpus: String) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.folders = [corpus]
        (c.hiddenSize, c.layers, c.epochs, c.batchSize) = (8, 1, 2, 4)
        (c.noiseMix, c.speedShare, c.stretch) = (0.5, 0.5, 0.1)
        c.monitors = [corpus]
        return c
    }

    @Test("Runs its epochs with a checkpoint after each, reports progress, resumes, and stores its configuration in the model")
    func runAndResume() throws {
        let corpus = try Fixtures.smallCorpus(), checkpoints = try Fixtures.scratchFolder().path + "/run"
        let configuration = Self.configuration(corpus: corpus)
        let recorder = Recorder()
        let run = TrainingRun(configuration: configuration, checkpoints: checkpoints, jobs: 2)
        let model = try run.run(events: recorder.record)
        let events = recorder.recorded
        // 15 clips (12 words, 3 noise) ×1 in batches of 4: 4 updates per epoch.
        let updates = events.compactMap { if case .update(let epoch, _, let update, let updates, _) = $0 { (epoch, update, updates) } else { nil } }
        #expect(updates.map(\.0) == [1, 1, 1, 1, 2, 2, 2, 2] && updates.allSatisfy { $0.2 == 4 })
        let epochs = events.compactMap { if case .epochFinished(let report) = $0 { report } else { nil } }
        #expect(epochs.map(\.epoch) == [1, 2] && epochs.allSatisfy { $0.monitors.first?.clips == 12 })
        guard case .prepared(let data)? = events.first(where: { if case .prepared = $0 { true } else { false } }) else {
            Issue.record("no prepared event")
            return
        }
        #expect(data.folderClips == 15 && data.perEpoch == 15)
        #expect(run.state.epoch == 2 && run.state.accuracies.count == 2)
        #expect(model.metadata.trainingConfiguration == configuration)
        #expect(model.metadata.metrics["accuracy:corpus"] != nil)
        let path = try Fixtures.scratchFolder().path + "/model.lstn"
        try ModelFile.write(model, to: path)
        #expect(try ModelFile.read(path).metadata.trainingConfiguration == configuration, "the configuration survives the model file")

        var longer = configuration
        longer.epochs = 3
        let resumed = Recorder()
        let again = TrainingRun(configuration: longer, checkpoints: checkpoints, jobs: 2)
        _ = try again.run(events: resumed.record)
        #expect(resumed.recorded.contains { if case .resumed(2, 8) = $0 { true } else { false } })
        #expect(again.state.epoch == 3)
    }

    @Test("A field out of range is refused by name before anything is read; so is a checkpoint of another network")
    func refusals() throws {
        var bad = TrainingConfiguration()
        bad.folders = ["/nonexistent"]
        bad.hiddenSize = 12
        #expect(throws: RecognizerError.invalidTraining(field: "hiddenSize", reason: "must be a positive multiple of 8")) {
            try TrainingRun(configuration: bad, checkpoints: "/nonexistent/run").run()
        }
        let corpus = try Fixtures.smallCorpus(), checkpoints = try Fixtures.scratchFolder().path + "/run"
        var small = Self.configuration(corpus: corpus)
        small.epochs = 1
        small.monitors = []
        _ = try TrainingRun(configuration: small, checkpoints: checkpoints, jobs: 2).run()
        small.hiddenSize = 16
        #expect(throws: RecognizerError.self) { try TrainingRun(configuration: small, checkpoints: checkpoints, jobs: 2).run() }
        #expect(throws: Never.self) { try TrainingRun(configuration: small, checkpoints: checkpoints, restart: true, jobs: 2).run() }
    }

    @Test("Noise mixing, speed perturbation and time masks change what is trained, the same way for the same seed")
    func augmentations() throws {
        let corpus = try Fixtures.smallCorpus()
        func weights(_ change: (inout TrainingConfiguration) -> Void) throws -> [[Float]] {
            var c = TrainingConfiguration()
            c.folders = [corpus]
            (c.hiddenSize, c.layers, c.epochs, c.batchSize) = (8, 1, 1, 4)
            change(&c)
            return try TrainingRun(configuration: c, checkpoints: try Fixtures.scratchFolder().path, jobs: 2).run().tensors
        }
        let noisy: (inout TrainingConfiguration) -> Void = { ($0.noiseMix, $0.noiseSignalToNoise) = (1, 0...10) }
        let faster: (inout TrainingConfiguration) -> Void = { ($0.speedShare, $0.speedChange) = (1, 0.2) }
        let plain = try weights { _ in }
        #expect(try weights(noisy) == weights(noisy))
        #expect(try weights(faster) == weights(faster))
        let distinct = [plain, try weights(noisy), try weights(faster), try weights { noisy(&$0); faster(&$0) }, try weights { $0.timeMask = 300 }]
        #expect(Set(distinct.map { $0.flatMap { $0 } }).count == 5)
    }

    @Test("A word balance shows a word in more clips than the cap in a random subset of about the cap per epoch; noise is always kept")
    func balance() throws {
        let corpus = try Fixtures.smallCorpus()
        func perEpoch(_ cap: Int) throws -> (all: Int, kept: Int?) {
            var c = TrainingConfiguration()
            c.folders = [corpus]
            (c.folderWeight, c.balance, c.hiddenSize, c.layers, c.epochs) = (2, cap, 8, 1, 1)
            let recorder = Recorder()
            _ = try TrainingRun(configuration: c, checkpoints: try Fixtures.scratchFolder().path, jobs: 2).run(events: recorder.record)
            for case .prepared(let data) in recorder.recorded { return (data.perEpoch, data.afterBalance) }
            return (0, nil)
        }
        // 15 clips ×2 = 30 slots: 6 for each of four words and 6 of noise.
        #expect(try perEpoch(0) == (30, nil))
        #expect(try perEpoch(6).kept == 30, "no word is in more than 6 slots")
        let thinned = try #require(try perEpoch(3).kept)
        #expect(thinned >= 6 && thinned < 30, "each word's 6 slots kept with probability ½, noise's 6 always: \(thinned)")
    }
}
