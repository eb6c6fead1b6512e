import Features
import Foundation
import CDefaultModel

/// Personal fine-tuning: a base model trained for a minute more on a few takes of one
/// person's words, so that it hears that voice better and hears words of their own.
///
/// Every pass shows every take anew: played faster or slower, louder or softer, mixed with
/// noise, with SpecAugment's masks; and clips of noise alone, heard as nothing, so that the
/// model does not learn to answer noise. The weights decay toward the base model's (L2-SP),
/// so that the words and speakers it already heard stay heard. Words the base vocabulary
/// lacks join the personal model's vocabulary.
///
/// ```swift
/// let takes = [Enrollment.Take(text: "lights on", samples: samples)]
/// let personal = try Enrollment(base: try ModelFile.bundled()).run(takes: takes)
/// try ModelFile.write(personal, to: "mine.lstn", format: .f16)
/// ```
public struct Enrollment: Sendable {
    /// One recording of a word or phrase.
    public struct Take: Sendable, Hashable {
        /// What was said (a word or phrase the alphabet spells).
        public var text: String
        /// 16 kHz mono samples.
        public var samples: [Float]

        /// A take of `text`.
        public init(text: String, samples: [Float]) {
            self.text = text
            self.samples = samples
        }
    }

    /// What a model hears for an utterance of someone else, with its transcript: trained on
    /// next to the takes, so that the personal model keeps hearing everyone else.
    public struct Rehearsal: Sendable {
        /// The transcript ("" for none).
        public var text: String
        /// The model's input frames (its front end's output).
        public var features: Matrix

        /// An utterance heard as `features`, said as `text`.
        public init(text: String, features: Matrix) {
            self.text = text
            self.features = features
        }
    }

    /// How the fine-tuning runs.
    public struct Settings: Sendable, Codable, Hashable {
        /// Passes over the takes.
        public var passes = 24
        /// The GRU layers trained, counted from the top (the output layer always is; the
        /// others keep the base's weights).
        public var trainedLayers = 2
        /// Views per update.
        public var batchSize = 8
        /// Adam's peak learning rate (warm-up over a tenth of the updates, cosine decay to 5 %).
        public var learningRate: Float = 0.0003
        /// The decoupled decay of every weight toward the base model's, per unit of learning rate.
        public var anchorDecay: Float = 10
        /// The share of views mixed with noise, and their signal-to-noise ratios (dB).
        public var noiseMix = 0.6
        public var noiseSignalToNoise: ClosedRange<Double> = 5...30
        /// The share of views played at another speed, and the largest change.
        public var speedShare = 0.7
        public var speedChange = 0.12
        /// The largest change of level, in dB either way.
        public var gainChange = 10.0
        /// Views of noise alone (heard as nothing) per take and pass.
        public var noiseViews = 0.25
        /// Rehearsal utterances (other speakers) per take and pass.
        public var rehearsalViews = 1.0
        /// Seed of the views and their order.
        public var seed: UInt64 = 1

        /// The defaults above.
        public init() {}

        /// Checks every field.
        /// - Throws: ``RecognizerError/invalidTraining(field:reason:)`` naming the first field out of range.
        public func validate() throws {
            func require(_ condition: Bool, _ field: String, _ reason: String) throws {
                if !condition { throw RecognizerError.invalidTraining(field: field, reason: reason) }
            }
            try require(passes >= 1, "passes", "must be positive")
            try require(trainedLayers >= 0, "trainedLayers", "must be 0 or more")
            try require(batchSize >= 1, "batchSize", "must be positive")
            try require(learningRate > 0, "learningRate", "must be positive")
            try require(anchorDecay >= 0 && learningRate * anchorDecay < 1, "anchorDecay", "must be at least 0 and below 1 / learningRate")
            try require((0...1).contains(noiseMix), "noiseMix", "must be between 0 and 1")
            try require((0...1).contains(speedShare), "speedShare", "must be between 0 and 1")
            try require((0..<0.5).contains(speedChange), "speedChange", "must be at least 0 and below 0.5")
            try require((0...30).contains(gainChange), "gainChange", "must be between 0 and 30 dB")
            try require((0...4).contains(noiseViews), "noiseViews", "must be between 0 and 4")
            try require((0...8).contains(rehearsalViews), "rehearsalViews", "must be between 0 and 8")
        }
    }

    /// What a run reports while it works.
    public enum Event: Sendable {
        /// Update `update` (1-based) of `updates` is done, with its loss.
        case update(update: Int, updates: Int, loss: Float)
    }

    /// The model to start from and stay near.
    public let base: AcousticModel
    /// How the fine-tuning runs.
    public var settings: Settings

    /// An enrolment from `base`.
    public init(base: AcousticModel, settings: Settings = Settings()) {
        self.base = base
        self.settings = settings
    }

    /// The noise that ships with listen: 28 s cut from the shipped model's training noise
    /// (a running tap, a cat and a voice, white and pink noise, room and microphone hiss).
    public static var bundledNoise: [Float] {
        let count = listen_enrollment_noise_size() / 2
        return listen_enrollment_noise_bytes().withMemoryRebound(to: Int16.self, capacity: count) { pointer in
            (0..<count).map { Float(Int16(littleEndian: pointer[$0])) / 32768 }
        }
    }

    /// Real speech of 296 utterances by other speakers (the 35 command words and a few other
    /// texts, from the shipped model's training split) as the built-in model hears it; empty for
    /// a model with another front end, which cannot use these frames.
    /// - Throws: ``RecognizerError/trainingFailed(_:)`` if the bytes in the binary are damaged.
    public static func bundledRehearsal(for model: AcousticModel) throws -> [Rehearsal] {
        let builtIn = try ModelFile.bundled()
        guard model.features == builtIn.features, model.speechEmbedding == builtIn.speechEmbedding else { return [] }
        let bytes = UnsafeRawBufferPointer(start: listen_enrollment_rehearsal_bytes(), count: listen_enrollment_rehearsal_size())
        func damaged() -> RecognizerError { .trainingFailed("the rehearsal set in this binary is damaged (a broken build)") }
        var offset = 0
        func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard offset + MemoryLayout<T>.size <= bytes.count else { throw damaged() }
            defer { offset += MemoryLayout<T>.size }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        guard bytes.count >= 16, Array(bytes.prefix(8)) == Array("LSTNRH01".utf8) else { throw damaged() }
        offset = 8
        let count = Int(try read(UInt32.self)), dimension = Int(try read(UInt32.self))
        guard dimension == model.features.dimension else { throw damaged() }
        var utterances: [Rehearsal] = []
        for _ in 0..<count {
            let length = Int(try read(UInt16.self))
            guard offset + length <= bytes.count else { throw damaged() }
            let text = String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
            offset += length
            let frames = Int(try read(UInt32.self))
            var values = [Float](repeating: 0, count: frames * dimension)
            for index in values.indices { values[index] = Float(Float16(bitPattern: try read(UInt16.self))) }
            utterances.append(Rehearsal(text: text, features: Matrix(rows: frames, columns: dimension, values: values)))
        }
        return utterances
    }

    /// Fine-tunes the base model on `takes`.
    /// - Parameters:
    ///   - takes: the recordings, at least one (empty and silent ones are an error).
    ///   - noise: 16 kHz recordings of noise to mix in and to hear as nothing
    ///     (``bundledNoise``, and a recording of the room if there is one).
    ///   - rehearsal: other speakers' utterances to train on too (``bundledRehearsal(for:)`` if nil).
    ///   - events: called after every update.
    /// - Returns: the personal model: the base's front end and network with the new weights,
    ///   its vocabulary joined by the takes' words, and ``ModelMetadata/personalization``
    ///   saying what it was made from.
    /// - Throws: ``RecognizerError/invalidTraining(field:reason:)`` for bad settings, no takes, a
    ///   take the alphabet cannot spell or without sound; the front end's error.
    public func run(takes: [Take], noise: [[Float]] = [Enrollment.bundledNoise], rehearsal: [Rehearsal]? = nil,
                    events: @escaping @Sendable (Event) -> Void = { _ in }) throws -> AcousticModel {
        let started = Date()
        let s = settings
        try s.validate()
        guard !takes.isEmpty else { throw RecognizerError.invalidTraining(field: "takes", reason: "must hold at least one take") }
        for take in takes {
            do { try base.alphabet.checkSpellable(Vocabulary.normalize(take.text)) } catch {
                throw RecognizerError.invalidTraining(field: "takes", reason: "'\(take.text)': \(error)")
            }
            guard NoiseMixing.power(take.samples) > 0 else {
                throw RecognizerError.invalidTraining(field: "takes", reason: "a take of '\(take.text)' is silent")
            }
        }
        let rehearsal = try rehearsal ?? Self.bundledRehearsal(for: base)
        for utterance in rehearsal where utterance.features.columns != base.features.dimension {
            throw RecognizerError.invalidTraining(field: "rehearsal", reason: "'\(utterance.text)' has frames of \(utterance.features.columns) values, not the model's \(base.features.dimension)")
        }
        let views = try Views(base: base, settings: s, takes: takes, noise: noise, rehearsal: rehearsal)
        let perPass = views.count
        let updates = s.passes * ((perPass + s.batchSize - 1) / s.batchSize)
        let schedule = LearningRateSchedule(peak: s.learningRate, floor: s.learningRate * 0.05,
                                            warmupSteps: max(1, updates / 10), totalSteps: updates)
        let trainer = Trainer(model: base)
        // Tensors: convolutions (2 each), then 8 per GRU layer (4 per direction), then the output's 2.
        let architecture = base.architecture
        let firstTrained = 2 * architecture.convolutions.count + 8 * max(0, architecture.layerCount - s.trainedLayers)
        trainer.frozen = Set(0..<firstTrained)
        let anchor = base.tensors
        var step = 0
        for pass in 0..<s.passes {
            var order = Array(0..<perPass)
            var shuffler = SeededGenerator(seed: s.seed &+ UInt64(pass) &* 7919)
            order.shuffle(using: &shuffler)
            let batches = stride(from: 0, to: perPass, by: s.batchSize).map { Array(order[$0..<min(perPass, $0 + s.batchSize)]) }
            func prepare(_ batch: Int, step: Int) -> Prefetch<[TrainingExample]> {
                let indices = batches[batch]
                return Prefetch { try indices.enumerated().map { offset, index in
                    try views.view(index, seed: s.seed ^ UInt64(step &* 1_000_003 &+ offset))
                } }
            }
            var upcoming = prepare(0, step: step)
            for batch in batches.indices {
                let examples = try upcoming.value()
                if batch + 1 < batches.count { upcoming = prepare(batch + 1, step: step + 1) }
                let result = trainer.step(examples, learningRate: schedule.rate(at: step), weightDecay: s.anchorDecay, anchor: anchor)
                step += 1
                events(.update(update: step, updates: updates, loss: result.loss))
            }
        }

        var personal = trainer.model
        var words: [String: Int] = [:]
        for take in takes { words[Vocabulary.normalize(take.text), default: 0] += 1 }
        let added = words.keys.sorted().filter { !base.defaultVocabulary.contains($0) }
        personal.defaultVocabulary = base.defaultVocabulary + added
        var metadata = base.metadata
        metadata.name = base.metadata.name.isEmpty ? "personal" : "\(base.metadata.name)-personal"
        metadata.personalization = Personalization(
            baseName: base.metadata.name, baseChecksum: Personalization.checksum(of: base), takes: words,
            created: ISO8601DateFormatter().string(from: Date()), seconds: Date().timeIntervalSince(started).rounded(), settings: s)
        personal.metadata = metadata
        return personal
    }
}

/// The augmented views of an enrolment's takes and noise.
private struct Views {
    let takes: [(samples: [Float], labels: [Int])]
    let noise: [[Float]]
    let noiseViews: Int
    let rehearsal: [TrainingExample]
    let rehearsalViews: Int
    let settings: Enrollment.Settings
    let extractor: FrontEnd
    let speed: SpeedPerturbation
    let mixing: NoiseMixing
    let masking: SpecAugment
    let bands: Int

    init(base: AcousticModel, settings s: Enrollment.Settings, takes: [Enrollment.Take], noise: [[Float]], rehearsal: [Enrollment.Rehearsal]) throws {
        self.takes = takes.map { ($0.samples, base.alphabet.encode(Vocabulary.normalize($0.text))) }
        self.noise = noise.filter { NoiseMixing.power($0) > 0 && $0.count >= 1600 }
        noiseViews = self.noise.isEmpty ? 0 : Int((Double(takes.count) * s.noiseViews).rounded(.up))
        self.rehearsal = rehearsal.map { TrainingExample(features: $0.features, labels: base.alphabet.encode(Vocabulary.normalize($0.text))) }
            .filter { $0.features.rows > 0 }
        rehearsalViews = self.rehearsal.isEmpty ? 0 : Int((Double(takes.count) * s.rehearsalViews).rounded())
        settings = s
        extractor = try FrontEnd(model: base)
        speed = SpeedPerturbation(probability: s.speedShare, maximumChange: s.speedChange)
        mixing = NoiseMixing(noises: self.noise, probability: s.noiseMix, signalToNoise: s.noiseSignalToNoise)
        let trained = base.metadata.trainingConfiguration ?? TrainingConfiguration()
        let features = base.features
        let maskFrames = trained.timeMask * features.sampleRate / (1000 * features.hopLength)
        masking = SpecAugment(maximumTimeMask: trained.timeMask == 0 ? 0 : max(1, maskFrames), maximumFrequencyMask: trained.frequencyMask)
        bands = features.kind == .speechEmbedding ? features.dimension : features.baseDimension
    }

    /// Views per pass: every take, then the noise views, then the rehearsal views.
    var count: Int { takes.count + noiseViews + rehearsalViews }

    func view(_ index: Int, seed: UInt64) throws -> TrainingExample {
        var generator = SeededGenerator(seed: seed)
        if index >= takes.count + noiseViews {
            // A random rehearsal utterance: its frames are all there is, so masks are its only change.
            let example = rehearsal[Int.random(in: 0..<rehearsal.count, using: &generator)]
            return TrainingExample(features: masking.apply(to: example.features, bands: bands, using: &generator), labels: example.labels)
        }
        var samples: [Float], labels: [Int]
        if index < takes.count {
            (samples, labels) = takes[index]
            samples = try speed.apply(to: samples, using: &generator) ?? samples
            samples = mixing.apply(to: samples, using: &generator) ?? samples
        } else {
            // A second of noise alone, from a random place in a random recording.
            let recording = noise[Int.random(in: 0..<noise.count, using: &generator)]
            let length = min(recording.count, 16000), start = Int.random(in: 0...(recording.count - length), using: &generator)
            samples = Array(recording[start..<(start + length)])
            labels = []
        }
        let gain = Float(pow(10, Double.random(in: -settings.gainChange...settings.gainChange, using: &generator) / 20))
        samples = samples.map { max(-1, min(1, $0 * gain)) }
        let features = extractor.postprocess(extractor.baseFrames(samples))
        return TrainingExample(features: masking.apply(to: features, bands: bands, using: &generator), labels: labels)
    }
}
