import ArgumentParser
import Audio
import Features
import Foundation
import Recognizer

/// `listen train`: trains a model in Swift from synthesised and real recordings.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an acoustic model (BiGRU + CTC over characters) on labelled clips.",
        discussion: """
            Data: --data takes a manifest: one written by scripts/synthesize.py (rows whose split is \
            'heldout' are never trained on; they measure accuracy after every epoch), or a real-speech \
            manifest with speaker and source columns (real-train's: the rows of --heldout-speakers \
            percent of the speakers are held out the same way). --real takes folders in the Speech \
            Commands layout (<dir>/<word>/*.wav, 'none' and '_silence_' for non-speech). A checkpoint \
            is written to --checkpoints after every epoch; running the same command again resumes from it.
            """)

    @Option(name: .customLong("data"), help: "A manifest: TSV with path and text, and split (scripts/synthesize.py) or speaker and source (real-train's). Repeatable.")
    var manifests: [String] = []

    @Option(name: .customLong("real"), help: "A folder of real recordings in the Speech Commands layout. Repeatable.")
    var realFolders: [String] = []

    @Option(help: "How many times each clip of a --real folder is seen per epoch (each time masked differently).")
    var realWeight = 1

    @Option(name: .customLong("source-weight"),
            help: ArgumentHelp("How many times each clip of a manifest's source is seen per epoch, SOURCE=N (the source column's value; 'synthetic' for a manifest without one; 1 if not given). Repeatable.",
                               valueName: "source=n"))
    var sourceWeights: [SourceWeight] = []

    @OptionGroup var split: ManifestSplitOptions

    @Option(help: "The checkpoint folder; an existing checkpoint there is resumed.")
    var checkpoints: String

    @Option(help: "Where to write the finished model.")
    var output = "model.lstn"

    @Option(help: "How the finished model stores its weights: f32, or f16 for half the file (inference still runs in float32; checkpoints stay f32).")
    var weightFormat: ModelFile.WeightFormat = .f32

    @Option(help: "GRU units per direction (a multiple of 8).")
    var hiddenSize = 128

    @Option(help: "Feature frame shift in samples at 16 kHz (160 = 10 ms; 320 halves the frames and the training time).")
    var hopLength = 160

    @Option(help: "Log-mel bands between 20 Hz and 7.6 kHz.")
    var melBands = 40

    @Option(help: ArgumentHelp("Train on openWakeWord's frozen speech embedding instead of log-mel features: the folder of text tensors scripts/convert-speech-embedding.py writes. The network goes into the model file; --mel-bands, --hop-length, --convolution and --warp do not apply.",
                               valueName: "folder"))
    var speechEmbedding: String?

    @Option(help: "With --speech-embedding: mel frames (10 ms) between embeddings, 4 (40 ms) or 8 (80 ms).")
    var embeddingStep = 4

    @Option(help: ArgumentHelp("Channels of each convolution over 3 frames × 5 bands (every second band kept, ReLU) in front of the first GRU layer: 16 for one, 16,32 for two in a row (0 = none).",
                               valueName: "channels"))
    var convolution = ConvolutionChannels(counts: [])

    @Option(help: "Bidirectional GRU layers.")
    var layers = 2

    @Option(help: "Frames of the first layer's output averaged into one for the layers above (2 halves their frames and cost).")
    var timeReduction = 1

    @Option(help: "Passes over the training clips.")
    var epochs = 10

    @Option(help: "Clips per update.")
    var batchSize = 32

    @Option(help: "Peak learning rate (linear warm-up over the first 300 updates, then cosine decay to --final-learning-rate).")
    var learningRate: Float = 0.002

    @Option(help: "The rate the cosine decay ends at, after the last update; 5% of --learning-rate if absent.")
    var finalLearningRate: Float?

    @Option(help: "Feature normalisation over each utterance: 'utterance' (every band to mean 0 and variance 1) or 'utterance-pooled' (every band to mean 0, one variance over all bands, so the empty bands of narrowband audio stay flat).")
    var normalization: FeatureConfiguration.Normalization = .utterance

    @Option(help: "Seconds of silence put before and after every clip before its features are computed, in training and (stored in the model) in everything the model hears, so that recordings cut tight around their word are heard with a little silence around them (absent = none).")
    var edgePadding: Double?

    @Option(help: "Decoupled weight decay of the weight matrices (AdamW; each update shrinks them by learning rate × this; 0 = none).")
    var weightDecay: Float = 0

    @Option(help: "Vocal-tract length perturbation: each clip's frequency axis is warped by a factor in 1 ± this, anew every epoch (log-mel features only).")
    var warp: Double = 0

    @Option(help: "SpecAugment: the widest of the two runs of mel bands masked in each clip, anew every epoch.")
    var frequencyMask = 5

    @Option(help: "SpecAugment: the longest of the two runs of frames masked in each clip, in milliseconds (each run also at most a fifth of the clip), anew every epoch.")
    var timeMask = 80

    @Option(help: "Tempo perturbation: each clip's frames are stretched by a factor in 1 ± this, anew every epoch.")
    var stretch: Double = 0

    @Option(help: "Speed perturbation: the share of clips (0–1) whose waveform is resampled to play at a speed in 1 ± --speed-change (pitch, formants and tempo together), anew every epoch, before --noise-mix.")
    var speedShare: Double = 0

    @Option(help: "The largest change of --speed-share's speed (0.1: from 0.9 to 1.1 times).")
    var speedChange: Double = 0.1

    @Option(help: "Background noise at training time: the share of clips (0–1) that hear a random stretch of a random noise clip (the training data's clips without words) at an SNR drawn from --noise-snr, anew every epoch.")
    var noiseMix: Double = 0

    @Option(help: "The signal-to-noise range of --noise-mix in dB, LOW,HIGH (over the whole clip).")
    var noiseSnr = DecibelRange(lower: 5, upper: 30)

    @Option(help: "Word balance: a word in more than this many clips of an epoch is shown in a random subset of about this many of them, drawn anew every epoch (0 = every clip every epoch).")
    var balance = 0

    @Option(help: "Decay of the moving average of the weights that is scored and written (0 = the last weights; 0.999 spans ~1000 updates).")
    var averageDecay: Float = 0

    @Option(help: "Seed for initial weights, shuffles and masks.")
    var seed: UInt64 = 1

    @Option(help: "Held-out clips (those made of vocabulary words) scored after each epoch.")
    var devLimit = 600

    @Option(name: .customLong("monitor"),
            help: "Labelled clips scored after every epoch the way 'listen eval' scores them (a Speech Commands or Free Spoken Digit folder, or a manifest's held-out rows), with the default vocabulary and decoder: their accuracy goes in the log, the checkpoint and the plot. Never trained on. Repeatable.")
    var monitors: [String] = []

    @OptionGroup var workers: JobsOption

    @Option(help: "Default vocabulary stored in the model (comma-separated or @file); the 35 Speech Commands words if absent.")
    var vocabulary: String?

    @Option(help: "A description of the data recorded in the model file.")
    var recipe: String?

    @Option(help: "SVG plot of the loss and held-out accuracy; <checkpoints>/training.svg if absent.")
    var plot: String?

    @Flag(help: "Ignore an existing checkpoint and start again.")
    var restart = false

    func validate() throws {
        if manifests.isEmpty && realFolders.isEmpty { throw ValidationError("give training data with --data or --real") }
        if hiddenSize <= 0 || hiddenSize % 8 != 0 { throw ValidationError("--hidden-size must be a positive multiple of 8") }
        if hopLength < 80 || hopLength > 400 { throw ValidationError("--hop-length must be between 80 and 400 samples") }
        if !(16...128).contains(melBands) { throw ValidationError("--mel-bands must be between 16 and 128") }
        if !convolution.counts.allSatisfy((1...64).contains) || convolution.counts.count > ModelArchitecture.limits.convolutionCount {
            throw ValidationError("--convolution takes 0, or up to \(ModelArchitecture.limits.convolutionCount) channel counts between 1 and 64 (16,32)")
        }
        if layers < 1 || epochs < 1 || batchSize < 1 { throw ValidationError("--layers, --epochs and --batch-size must be positive") }
        if realWeight < 0 { throw ValidationError("--real-weight must be 0 or more") }
        if let duplicate = Dictionary(grouping: sourceWeights, by: \.source).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--source-weight gives '\(duplicate)' twice")
        }
        if devLimit < 0 { throw ValidationError("--dev-limit must be 0 or more") }
        if !(1...ModelArchitecture.limits.timeReduction).contains(timeReduction) {
            throw ValidationError("--time-reduction must be between 1 and \(ModelArchitecture.limits.timeReduction)")
        }
        if !(0...1).contains(weightDecay) { throw ValidationError("--weight-decay must be between 0 and 1") }
        if !(0..<0.5).contains(warp) || !(0..<0.5).contains(stretch) { throw ValidationError("--warp and --stretch must be at least 0 and below 0.5") }
        if !(0...20).contains(frequencyMask) { throw ValidationError("--frequency-mask must be between 0 and 20 bands") }
        if !(0...500).contains(timeMask) { throw ValidationError("--time-mask must be between 0 and 500 ms") }
        if !(0...1).contains(noiseMix) { throw ValidationError("--noise-mix must be between 0 and 1") }
        if !(0...1).contains(speedShare) { throw ValidationError("--speed-share must be between 0 and 1") }
        if !(0..<0.5).contains(speedChange) { throw ValidationError("--speed-change must be at least 0 and below 0.5") }
        if balance < 0 { throw ValidationError("--balance must be 0 (off) or a number of clips") }
        if let edgePadding, !FeatureConfiguration.edgePaddingRange.contains(edgePadding) { throw ValidationError("--edge-padding must be between 0 and 1 s") }
        if normalization == .none { throw ValidationError("--normalization must be utterance or utterance-pooled (the masks assume normalised features)") }
        if speechEmbedding != nil {
            if !convolution.counts.isEmpty || timeReduction > 1 || warp > 0 {
                throw ValidationError("--speech-embedding takes no --convolution, --time-reduction or --warp (its frames are embeddings, not mel bands)")
            }
            if embeddingStep != 4 && embeddingStep != 8 { throw ValidationError("--embedding-step must be 4 or 8") }
        }
        if let finalLearningRate, !(0...learningRate).contains(finalLearningRate) {
            throw ValidationError("--final-learning-rate must be between 0 and --learning-rate")
        }
        if !(0..<1).contains(averageDecay) { throw ValidationError("--average-decay must be at least 0 and below 1") }
    }

    func run() throws {
        for path in [output, plot].compactMap({ $0 }) { try OutputFile.check(path, created: checkpoints) }
        HeapReuse.keepFreedMemory()
        var features = FeatureConfiguration(kind: .logMel, normalization: normalization)
        features.hopLength = hopLength
        features.melBandCount = melBands
        features.edgePadding = edgePadding.flatMap { $0 > 0 ? $0 : nil }
        var embedding: SpeechEmbedding?
        if let speechEmbedding {
            do {
                embedding = try SpeechEmbedding.read(folder: speechEmbedding)
            } catch {
                StandardError.write("listen: --speech-embedding: \(error)")
                throw ExitCode.inputFailed
            }
            features = .speechEmbedding(step: embeddingStep, edgePadding: edgePadding.map { $0 > 0 ? $0 : nil } ?? 0.4,
                                        normalization: normalization)
        }
        let alphabet = Alphabet.english
        let defaultVocabulary: Vocabulary
        do {
            defaultVocabulary = try vocabulary.map(Vocabulary.init(argument:)) ?? .speechCommands
        } catch {
            throw ValidationError("\(error)")
        }

        // Data: every clip's features in memory, extracted once.
        var trainClips: [LabelledClip] = [], heldoutClips: [LabelledClip] = []
        var realClips: [LabelledClip] = []
        do {
            for manifest in manifests {
                let (train, heldout) = try LabelledData.manifest(manifest, split: split.split)
                trainClips += train
                heldoutClips += heldout
            }
            for folder in realFolders { realClips += try LabelledData.folder(folder) }
        } catch {
            StandardError.write("listen: \(error)")
            throw ExitCode.inputFailed
        }
        // Sets scored after every epoch as `listen eval` scores them; read now, so that a wrong path stops the run before it starts.
        var monitored: [(path: String, clips: [LabelledClip])] = []
        for path in monitors {
            let clips: [LabelledClip]
            do {
                clips = try LabelledData.clips(at: path, split: split.split)
            } catch {
                StandardError.write("listen: cannot read \(path): \(reason(error))")
                throw ExitCode.inputFailed
            }
            guard !clips.isEmpty else {
                StandardError.write("listen: no audio clips in \(path)")
                throw ExitCode.inputFailed
            }
            monitored.append((path, clips))
        }
        // Held-out clips are scored on the words users ask for: those made of vocabulary words.
        let vocabularyWords = Set(defaultVocabulary.entries.flatMap { $0.split(separator: " ").map(String.init) })
        heldoutClips = heldoutClips.filter { clip in
            clip.transcript.map { !$0.isEmpty && $0.split(separator: " ").allSatisfy { vocabularyWords.contains(String($0)) } } ?? false
        }
        var generator = SeededGenerator(seed: seed)
        heldoutClips.shuffle(using: &generator)
        heldoutClips = Array(heldoutClips.prefix(devLimit))
        let train = try examples(trainClips + realClips, features: features, embedding: embedding, alphabet: alphabet, label: "training features",
                                 keepingSamples: noiseMix > 0 || speedShare > 0)
        let realCount = train.count - train.prefix(while: { $0.index < trainClips.count }).count
        let dev = try examples(heldoutClips, features: features, embedding: embedding, alphabet: alphabet, label: "held-out features", keepingSamples: false)
        let allClips = trainClips + realClips
        // Every clip as many times as its source's weight: a manifest's source, or --real-weight for the folders.
        let weights = Dictionary(uniqueKeysWithValues: sourceWeights.map { ($0.source, $0.count) })
        let weightOf = train.map { $0.index < trainClips.count ? weights[allClips[$0.index].source] ?? 1 : realWeight }
        let fromManifests = train.indices.filter { train[$0].index < trainClips.count }
        let fromFolders = train.indices.filter { train[$0].index >= trainClips.count }
        var schedule: [Int] = []
        for round in 0..<max(1, weights.values.max() ?? 1) { schedule += fromManifests.filter { weightOf[$0] > round } }
        for _ in 0..<realWeight { schedule += fromFolders }
        let sourceCounts = Dictionary(grouping: train.indices, by: { $0 < train.count - realCount ? allClips[train[$0].index].source : "--real" })
            .mapValues(\.count).sorted { $0.key < $1.key }
        StandardError.write("listen: clips per source: " + sourceCounts.map { source, count in
            "\(source) \(count)" + (source == "--real" ? " ×\(realWeight)" : weights[source].map { " ×\($0)" } ?? "")
        }.joined(separator: ", "))
        let clipsOfEpoch = Self.balancedSchedule(schedule, words: train.map { allClips[$0.index].transcript ?? "" },
                                                 cap: balance, seed: seed)
        let epochSizes = (0..<epochs).map { clipsOfEpoch($0).count }
        StandardError.write("listen: \(train.count - realCount) manifest + \(realCount) folder clips (×\(realWeight)) = "
                            + "\(schedule.count) per epoch" + (balance > 0 ? ", \(epochSizes[0]) after --balance" : "")
                            + "; \(dev.count) held out; OpenBLAS \(BLASKernels.coreName) kernels")
        guard !schedule.isEmpty else {
            StandardError.write("listen: no usable training clips")
            throw ExitCode.inputFailed
        }

        // Model and optimizer: a checkpoint if there is one, else fresh weights.
        let clipsPerBatch = batchSize
        let lrSchedule = LearningRateSchedule(peak: learningRate, floor: finalLearningRate ?? learningRate * 0.05, warmupSteps: 300,
                                              totalSteps: epochSizes.reduce(0) { $0 + ($1 + clipsPerBatch - 1) / clipsPerBatch })
        var checkpoint: TrainingCheckpoint
        let architecture = ModelArchitecture(inputSize: features.dimension, hiddenSize: hiddenSize, layerCount: layers,
                                             classCount: alphabet.classCount, timeReduction: timeReduction,
                                             convolutions: convolution.layers(inputBands: features.dimension))
        if !restart, let saved = try readCheckpoint() {
            // The clips were just featurised with this command's front end: a checkpoint of
            // another front end or network would be trained on features it was not built for.
            guard saved.model.features == features, saved.model.architecture == architecture, saved.model.speechEmbedding == embedding else {
                StandardError.write("listen: cannot resume from \(checkpoints): its model has other features or layers than this "
                                    + "command asks for (run the command that started it, or --restart to start again)")
                throw ExitCode.inputFailed
            }
            checkpoint = saved
            StandardError.write("listen: resuming \(checkpoints) after epoch \(saved.state.epoch), update \(saved.state.step)")
        } else {
            var model = try AcousticModel(architecture: architecture, features: features, alphabet: alphabet,
                                          defaultVocabulary: defaultVocabulary.entries)
            model.speechEmbedding = embedding
            model.tensors = Self.initialTensors(architecture, seed: seed)
            checkpoint = TrainingCheckpoint(model: model, optimizer: AdamOptimizer(like: model.tensors), state: TrainingState(seed: seed))
        }
        let trainer = Trainer(model: checkpoint.model, optimizer: checkpoint.optimizer)
        var state = checkpoint.state
        var average = averageDecay > 0
            ? WeightAverage(decay: averageDecay, tensors: checkpoint.average ?? checkpoint.model.tensors,
                            updates: checkpoint.average == nil ? 0 : state.step) : nil
        // The weights that are scored and written: the average if the run keeps one.
        func finished() -> AcousticModel {
            var model = trainer.model
            if let average { model.tensors = average.tensors }
            return model
        }
        // Two runs of frames of at most --time-mask ms, two runs of at most --frequency-mask bands.
        let maskFrames = timeMask * features.sampleRate / (1000 * hopLength)  // whole frames, rounded down
        let masking = SpecAugment(maximumTimeMask: timeMask == 0 ? 0 : max(1, maskFrames),
                                  maximumFrequencyMask: frequencyMask)
        let perturbation = SpeakerPerturbation(maximumWarp: warp, maximumStretch: stretch)
        let mixing = noiseMix > 0
            ? NoiseMixing(noises: train.filter { $0.example.labels.isEmpty }.map(\.samples), probability: noiseMix,
                          signalToNoise: noiseSnr.lower...noiseSnr.upper) : nil
        let speed = SpeedPerturbation(probability: speedShare, maximumChange: speedChange)
        if let mixing, mixing.noises.isEmpty {
            StandardError.write("listen: --noise-mix needs clips without words in the training data (noise clips or a 'none' folder)")
            throw ExitCode.inputFailed
        }
        let extractor = try FrontEnd(configuration: features, speechEmbedding: embedding)
        let monitorDecoding = Recognizer.Decoding.vocabulary(defaultVocabulary, unknownPenalty: VocabularyDecoder.defaultUnknownPenalty,
                                                             rejectionThreshold: VocabularyDecoder.defaultRejectionThreshold)
        var reportsUnreadable = true

        // One augmented view of a clip, drawn from its own seed.
        func view(of index: Int, seed viewSeed: UInt64) throws -> TrainingExample {
            var masks = SeededGenerator(seed: viewSeed)
            var example = train[index].example
            // Speech is resampled first, so that the noise added after keeps its own pitch.
            let spoken = train[index].example.labels.isEmpty ? nil : try speed.apply(to: train[index].samples, using: &masks)
            if let samples = mixing.flatMap({ $0.apply(to: spoken ?? train[index].samples, using: &masks) }) ?? spoken {
                example.features = extractor.postprocess(extractor.baseFrames(samples))
            }
            let perturbed = perturbation.apply(to: example.features, configuration: features, using: &masks)
            let bands = features.kind == .speechEmbedding ? features.dimension : features.baseDimension
            return TrainingExample(features: masking.apply(to: perturbed, bands: bands, using: &masks), labels: example.labels)
        }

        while state.epoch < epochs {
            let started = Date()
            var order = clipsOfEpoch(state.epoch)
            let stepsPerEpoch = (order.count + clipsPerBatch - 1) / clipsPerBatch
            var shuffler = SeededGenerator(seed: seed &+ UInt64(state.epoch) &* 7919)
            order.shuffle(using: &shuffler)
            let progress = ProgressLine("epoch \(state.epoch + 1)/\(epochs)", total: stepsPerEpoch, unit: "updates", logsWhenPiped: true)
            var intervalLoss = 0.0, intervalCount = 0
            // A point of the loss curve: the mean since the last one (every 50 updates, and at the epoch's end).
            func recordLoss() {
                guard intervalCount > 0 else { return }
                state.losses.append([Double(state.step), intervalLoss / Double(intervalCount)])
                intervalLoss = 0
                intervalCount = 0
            }
            // The views of the batch that starts at `batchStart` and trains as update `step`.
            let epochOrder = order
            func views(from batchStart: Int, step: Int) throws -> [TrainingExample] {
                try epochOrder[batchStart..<min(epochOrder.count, batchStart + clipsPerBatch)].enumerated().map { offset, index in
                    try view(of: index, seed: seed ^ UInt64(step &* 1_000_003 &+ offset))
                }
            }
            var upcoming = Prefetch { [step = state.step] in try views(from: 0, step: step) }
            for batchStart in stride(from: 0, to: order.count, by: clipsPerBatch) {
                let batch = try upcoming.value()
                let nextStart = batchStart + clipsPerBatch
                if nextStart < order.count {
                    upcoming = Prefetch { [step = state.step + 1] in try views(from: nextStart, step: step) }
                }
                let result = trainer.step(batch, learningRate: lrSchedule.rate(at: state.step), weightDecay: weightDecay)
                state.step += 1
                average?.update(with: trainer.model.tensors)
                if result.used > 0 && result.loss.isFinite {
                    intervalLoss += Double(result.loss)
                    intervalCount += 1
                }
                if state.step % 50 == 0 { recordLoss() }
                progress.update(batchStart / clipsPerBatch + 1, detail: String(format: "loss %.3f", result.loss))
            }
            recordLoss()  // so an epoch of fewer than 50 updates has a loss too
            progress.finish()
            let scored = finished()
            let accuracy = Self.accuracy(of: scored, on: dev.map(\.example), alphabet: alphabet, jobs: workers.jobs)
            state.accuracies.append(accuracy)
            var scores = "", series = state.monitored ?? [:]
            for (path, clips) in monitored {
                let (report, unreadable) = try EvaluationReport.measure(clips, model: scored, decoding: monitorDecoding,
                                                                        vocabulary: defaultVocabulary, jobs: workers.jobs)
                if reportsUnreadable { for (file, error) in unreadable { StandardError.write("listen: \(file): \(reason(error))") } }
                let (count, correct) = report.commandTally
                let share = count > 0 ? Double(correct) / Double(count) : .nan  // nan: the set holds no command clips
                series[path, default: []].append([Double(state.epoch + 1), share])
                scores += String(format: "; %@ %.1f%% (%d/%d)", Self.monitorName(path), 100 * share, correct, count)
            }
            reportsUnreadable = false
            if !monitored.isEmpty { state.monitored = series }
            state.epoch += 1
            state.seconds += Date().timeIntervalSince(started)
            try TrainingCheckpoint(model: trainer.model, optimizer: trainer.optimizer, state: state,
                                   average: average?.tensors).write(to: checkpoints)
            let lastLoss = state.losses.last.map { String(format: "%.3f", $0[1]) } ?? "-"
            StandardError.write(String(format: "listen: epoch %d/%d loss %@ held-out accuracy %.1f%%%@ (%@ this epoch, %@ in all)",
                                       state.epoch, epochs, lastLoss, 100 * accuracy, scores,
                                       ProgressLine.clock(Date().timeIntervalSince(started)), ProgressLine.clock(state.seconds)))
        }

        var model = finished()
        var metrics = ["heldout_accuracy": state.accuracies.last ?? 0, "epochs": Double(state.epoch),
                       "updates": Double(state.step), "parameters": Double(model.architecture.parameterCount)]
        for (path, points) in state.monitored ?? [:] {
            if let last = points.last, last[0] == Double(state.epoch) { metrics["accuracy:" + Self.monitorName(path)] = last[1] }
        }
        model.metadata = ModelMetadata(
            name: (output as NSString).lastPathComponent, created: ISO8601DateFormatter().string(from: Date()),
            trainingCommand: (["listen"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
            dataRecipe: recipe ?? "\(train.count - realCount) clips from \(manifests.joined(separator: ", "))"
                + (sourceWeights.isEmpty ? "" : " (" + sourceWeights.map { "\($0.source) ×\($0.count)" }.joined(separator: ", ") + ")")
                + "; \(realCount) real clips from \(realFolders.joined(separator: ", ")) ×\(realWeight)"
                + "; \(split.split.heldOutSpeakers) % of manifest speakers held out"
                + (split.split.excluded.isEmpty ? "" : ", excluded: " + split.split.excluded.sorted().joined(separator: ", ")),
            trainingSeconds: state.seconds.rounded(),
            metrics: metrics)
        try ModelFile.write(model, to: output, format: weightFormat)
        let plotPath = plot ?? checkpoints + "/training.svg"
        try OutputFile.write(Self.plot(state).utf8, to: plotPath)
        StandardError.write("listen: wrote \(output) (\(model.architecture.parameterCount) parameters, "
                            + "\(ProgressLine.clock(state.seconds)) of training) and \(plotPath)")
    }

    /// The clips of each epoch under `--balance`: every slot of `schedule` (indices into
    /// `words`, the clips' transcripts) whose words are all common is kept with probability
    /// `cap / n` for its rarest word's count n in the schedule, drawn anew for every epoch from
    /// the seed; slots with a word in at most `cap` clips, and noise (no words), are always kept.
    static func balancedSchedule(_ schedule: [Int], words: [String], cap: Int, seed: UInt64) -> (Int) -> [Int] {
        guard cap > 0 else { return { _ in schedule } }
        let split = words.map { Set($0.split(separator: " ").map(String.init)) }
        var counts: [String: Int] = [:]
        for slot in schedule { for word in split[slot] { counts[word, default: 0] += 1 } }
        let keep = split.map { words in words.map { min(1, Double(cap) / Double(counts[$0] ?? 1)) }.max() ?? 1 }
        return { epoch in
            var generator = SeededGenerator(seed: seed &+ 0xBA1A_4CE5 &+ UInt64(epoch) &* 104_729)
            return schedule.filter { slot in Double.random(in: 0..<1, using: &generator) < keep[slot] }
        }
    }

    /// A decoded, labelled clip: its index in the clips given, its features and what is kept for
    /// augmenting it anew at every epoch.
    private struct PreparedClip {
        var index: Int
        var example: TrainingExample
        /// The 16 kHz samples (for --noise-mix and --speed-share), else none.
        var samples: [Float]
    }

    /// Decodes and labels clips on all cores; unreadable or unspellable clips are reported and skipped.
    /// Each clip keeps its 16 kHz samples if `keepingSamples`.
    private func examples(_ clips: [LabelledClip], features: FeatureConfiguration, embedding: SpeechEmbedding?, alphabet: Alphabet,
                          label: String, keepingSamples: Bool) throws -> [PreparedClip] {
        let progress = ProgressLine(label, total: clips.count, unit: "clips")
        let results = try ParallelMap.map(count: clips.count, jobs: workers.jobs,
                                          makeWorker: { try FrontEnd(configuration: features, speechEmbedding: embedding) },
                                          progress: { progress.update($0) }) { extractor, index -> Result<PreparedClip, Error>? in
            let clip = clips[index]
            guard let text = clip.transcript else { return nil }
            do {
                try alphabet.checkSpellable(text)
                let audio = try AudioDecoder.decode(file: clip.path)
                let features = extractor.postprocess(extractor.baseFrames(audio.samples))
                return .success(PreparedClip(index: index, example: TrainingExample(features: features, labels: alphabet.encode(text)),
                                             samples: keepingSamples ? audio.samples : []))
            } catch {
                return .failure(error)
            }
        }
        progress.finish()
        var kept: [PreparedClip] = []
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let clip): kept.append(clip)
            case .failure(let error): StandardError.write("listen: skipping \(clips[index].path): \(error)")
            case nil: break
            }
        }
        return kept
    }

    private func readCheckpoint() throws -> TrainingCheckpoint? {
        do {
            return try TrainingCheckpoint.read(from: checkpoints)
        } catch {
            StandardError.write("listen: cannot resume from \(checkpoints): \(error) (use --restart to start again)")
            throw ExitCode.inputFailed
        }
    }

    /// PyTorch's initialisation: every GRU tensor uniform in ±1/√H, the output layer in ±1/√(2H),
    /// each convolution in ±1/√(its patch size).
    static func initialTensors(_ architecture: ModelArchitecture, seed: UInt64) -> [[Float]] {
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

    /// Share of clips whose greedy transcript is exactly their text.
    static func accuracy(of model: AcousticModel, on examples: [TrainingExample], alphabet: Alphabet, jobs: Int) -> Double {
        guard !examples.isEmpty else { return 0 }
        let correct = (try? ParallelMap.map(count: examples.count, jobs: jobs, makeWorker: { InferenceSession(model: model) }) { session, index -> Bool in
            let path = CTCGreedyDecoder.decode(session.logProbabilities(examples[index].features))
            return path.labels == examples[index].labels
        }) ?? []
        return Double(correct.filter { $0 }.count) / Double(examples.count)
    }

    /// How the log and the model's metrics name a `--monitor` set: its file or folder name.
    static func monitorName(_ path: String) -> String {
        URL(fileURLWithPath: path).lastPathComponent
    }

    /// The loss per 50 updates (and per epoch's rest); the held-out accuracy and every `--monitor` set's accuracy per epoch.
    static func plot(_ state: TrainingState) -> String {
        let stepsPerEpoch = state.epoch > 0 ? Double(state.step) / Double(state.epoch) : 1
        let colours = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]
        let monitored = (state.monitored ?? [:]).sorted { $0.key < $1.key }.enumerated().map { number, set in
            SVGPlot.Series(name: "\(monitorName(set.key)), as listen eval scores it", colour: colours[number % colours.count],
                           points: set.value.map { ($0[0] * stepsPerEpoch, $0[1]) })
        }
        return SVGPlot.lineCharts(title: "listen train", xLabel: "update", charts: [
            ("CTC loss", [SVGPlot.Series(name: "training loss (mean of up to 50 updates)", colour: "#1f77b4",
                                          points: state.losses.map { ($0[0], $0[1]) })]),
            ("accuracy", [SVGPlot.Series(name: "held-out clips: exact transcript, greedy", colour: "#d62728",
                                         points: state.accuracies.enumerated().map { (Double($0.offset + 1) * stepsPerEpoch, $0.element) })]
                + monitored),
        ])
    }
}

extension ModelFile.WeightFormat: ExpressibleByArgument {}

/// `--convolution`: the channels of each convolution in front of the GRUs, "16" or "16,32"; "0" is none.
struct ConvolutionChannels: ExpressibleByArgument {
    var counts: [Int]

    init(counts: [Int]) { self.counts = counts }

    init?(argument: String) {
        guard argument != "0" else {
            self.init(counts: [])
            return
        }
        let counts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil }) else { return nil }
        self.init(counts: counts.compactMap { $0 })
    }

    var defaultValueDescription: String { counts.isEmpty ? "0" : counts.map(String.init).joined(separator: ",") }

    /// The convolutions: the first reads the features' bands, each next one the previous one's output.
    func layers(inputBands: Int) -> [Convolution] {
        counts.reduce(into: []) { layers, channels in
            layers.append(layers.last?.followed(byChannels: channels) ?? Convolution(channels: channels, inputBands: inputBands))
        }
    }
}

/// `--source-weight`: how many times a manifest source's clips are seen per epoch, "speech-commands-v0.01=2".
struct SourceWeight: ExpressibleByArgument {
    var source: String
    var count: Int

    init?(argument: String) {
        guard let equals = argument.lastIndex(of: "="), let count = Int(argument[argument.index(after: equals)...]), count >= 0,
              equals != argument.startIndex else { return nil }
        source = String(argument[..<equals])
        self.count = count
    }
}

/// `--noise-snr`: a range of signal-to-noise ratios in dB, "5,30".
struct DecibelRange: ExpressibleByArgument {
    var lower: Double
    var upper: Double

    init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lower = parts[0], let upper = parts[1], lower.isFinite, upper.isFinite, lower <= upper else { return nil }
        self.init(lower: lower, upper: upper)
    }

    var defaultValueDescription: String { "\(Int(lower)),\(Int(upper))" }
}

extension FeatureConfiguration.Normalization: ExpressibleByArgument {
    /// The values `listen train` accepts (`none` is refused: the masks assume normalised features).
    public static var allValueStrings: [String] { allCases.filter { $0 != .none }.map(\.rawValue) }
}
