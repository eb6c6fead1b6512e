import ArgumentParser
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

            Examples:
              listen train --real my-clips --checkpoints run --output mine.lstn
              listen train --data data/synth/manifest.tsv --real my-clips --vocabulary 'lights on,lights off' --checkpoints run --output mine.lstn
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

    @Option(help: "Peak learning rate (linear warm-up over the first 300 updates or a tenth of the run, whichever is fewer, then cosine decay to --final-learning-rate).")
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
        if let duplicate = Dictionary(grouping: sourceWeights, by: \.source).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--source-weight gives '\(duplicate)' twice")
        }
        do {
            try configuration().validate()
        } catch let error as RecognizerError {
            throw ValidationError(TrainingConfiguration.message(for: error))
        }
    }

    /// The library's configuration these options describe.
    func configuration() throws -> TrainingConfiguration {
        var c = TrainingConfiguration()
        (c.manifests, c.folders, c.folderWeight, c.balance, c.heldOutLimit, c.monitors) = (manifests, realFolders, realWeight, balance, devLimit, monitors)
        c.sourceWeights = Dictionary(sourceWeights.map { ($0.source, $0.count) }, uniquingKeysWith: { first, _ in first })
        (c.heldOutSpeakers, c.excluded) = (split.heldOutSpeakers, split.excluded)
        if let vocabulary { c.vocabulary = try Vocabulary(argument: vocabulary).entries }
        c.features = FeatureConfiguration(kind: .logMel, normalization: normalization)
        (c.features.hopLength, c.features.melBandCount) = (hopLength, melBands)
        c.features.edgePadding = edgePadding.flatMap { $0 > 0 ? $0 : nil }
        if let speechEmbedding {
            c.speechEmbedding = speechEmbedding
            c.features = .speechEmbedding(step: embeddingStep, edgePadding: edgePadding.map { $0 > 0 ? $0 : nil } ?? 0.4, normalization: normalization)
        }
        (c.hiddenSize, c.layers, c.timeReduction, c.convolutionChannels) = (hiddenSize, layers, timeReduction, convolution.counts)
        (c.epochs, c.batchSize, c.learningRate, c.finalLearningRate) = (epochs, batchSize, learningRate, finalLearningRate)
        (c.weightDecay, c.averageDecay, c.seed) = (weightDecay, averageDecay, seed)
        (c.warp, c.stretch, c.frequencyMask, c.timeMask) = (warp, stretch, frequencyMask, timeMask)
        (c.speedShare, c.speedChange, c.noiseMix, c.noiseSignalToNoise) = (speedShare, speedChange, noiseMix, noiseSnr.lower...noiseSnr.upper)
        return c
    }

    func run() throws {
        for path in [output, plot].compactMap({ $0 }) { try OutputFile.check(path, created: checkpoints) }
        HeapReuse.keepFreedMemory()
        let training = TrainingRun(configuration: try configuration(), checkpoints: checkpoints, restart: restart, jobs: workers.jobs)
        let printer = TrainingPrinter(checkpoints: checkpoints)
        var model: AcousticModel
        do {
            model = try training.run(events: printer.print)
        } catch let error as RecognizerError {
            StandardError.write("listen: " + TrainingConfiguration.message(for: error))
            throw ExitCode.inputFailed
        }
        model.metadata.name = (output as NSString).lastPathComponent
        model.metadata.trainingCommand = (["listen"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        if let recipe { model.metadata.dataRecipe = recipe }
        try ModelFile.write(model, to: output, format: weightFormat)
        let plotPath = plot ?? checkpoints + "/training.svg"
        try OutputFile.write(TrainingPlot.plot(training.state).utf8, to: plotPath)
        StandardError.write("listen: wrote \(output) (\(model.architecture.parameterCount) parameters, "
                            + "\(ProgressLine.clock(training.state.seconds)) of training) and \(plotPath)")
    }
}
