import Audio
import Features
import Foundation

/// Recognises command words: samples or features in, a ``Transcript`` out.
///
/// ```swift
/// let model = try ModelFile.read("model.lmodel")
/// let recognizer = try Recognizer(model: model, decoding: .vocabulary(try Vocabulary(["yes", "no", "go left"])))
/// let transcript = recognizer.transcribe(samples: audio.samples)   // 16 kHz mono
/// for word in transcript.words { print(word.word, word.start, word.end, word.confidence) }
/// ```
///
/// Not thread-safe (it keeps buffers between calls): use one recognizer per thread.
public final class Recognizer {
    /// How log-probabilities become words.
    public enum Decoding: Sendable, Hashable {
        /// Best path: the likeliest class per frame. Fastest; open vocabulary.
        case greedy
        /// CTC prefix beam search of the given width; open vocabulary.
        case beamSearch(width: Int)
        /// Only these words and phrases; anything else is `[unk]`, silence is nothing.
        /// `unknownPenalty` and `rejectionThreshold` are ``VocabularyDecoder``'s trade-off
        /// between missed words and false accepts; a calibrated personal model's thresholds
        /// (``Personalization/thresholds``) replace `rejectionThreshold` for their words.
        case vocabulary(Vocabulary, unknownPenalty: Float = VocabularyDecoder.defaultUnknownPenalty,
                        rejectionThreshold: Double = VocabularyDecoder.defaultRejectionThreshold)
    }

    /// The acoustic model.
    public let model: AcousticModel
    /// The decoding in use.
    public let decoding: Decoding
    /// The vocal-tract warps an utterance is heard at, and when all of them are heard.
    public struct Warps: Sendable, Hashable {
        /// Warp factors (1: as recorded, above 1 a longer vocal tract), each within
        /// ``Recognizer/frequencyWarpRange``; the first is always heard. Each of the others is a run
        /// of the model on the utterance's features warped along the mel axis as in training, and
        /// the class probabilities of all runs are averaged frame by frame before decoding.
        public var factors: [Double]
        /// The others are heard only when the first run's transcript has a word or `[unk]` below
        /// this confidence (0–1; 1: always, 0: never), so confident utterances cost one run.
        public var recheckBelow: Double

        public init(_ factors: [Double], recheckBelow: Double = 1) {
            precondition(!factors.isEmpty && factors.allSatisfy(Recognizer.frequencyWarpRange.contains),
                         "frequency warps must be within \(Recognizer.frequencyWarpRange), got \(factors)")
            precondition((0...1).contains(recheckBelow), "the recheck confidence must be within 0...1, got \(recheckBelow)")
            self.factors = factors
            self.recheckBelow = recheckBelow
        }

        /// One run, as recorded.
        public static let none = Warps([1])
        /// What ``Recognizer/init(model:decoding:threadCount:warps:)`` uses when none are given: as
        /// recorded, and a second run at 1.1 for utterances with a word or `[unk]` below 0.8 (about
        /// a third of them, so about 1.35 runs per utterance). Chosen on five models' dev, digits and
        /// unseen-voice scores (README, "Hearing twice").
        public static let standard = Warps([1, 1.1], recheckBelow: 0.8)

        /// Whether `transcript` (the first run's) calls for the other warps.
        func recheck(_ transcript: Transcript) -> Bool {
            factors.count > 1 && (recheckBelow >= 1 || transcript.words.contains { $0.confidence < recheckBelow })
        }
    }

    /// The warps every utterance is heard at (see ``Warps``).
    public let warps: Warps
    /// The warp factors a recognizer accepts.
    public static let frequencyWarpRange = 0.5...2.0
    private let frontEnd: FrontEnd
    private let session: InferenceSession
    private let vocabularyDecoder: VocabularyDecoder?

    /// Prepares a recognizer.
    /// - Parameters:
    ///   - model: the acoustic model (see ``ModelFile/read(_:)``).
    ///   - decoding: greedy, beam search, or restricted to a vocabulary; if nil, what `listen`
    ///     does by default: the model's own vocabulary with the default `[unk]` penalty and
    ///     rejection threshold.
    ///   - threadCount: 1, or 2 to run the model's two directions on two cores.
    ///   - warps: the vocal-tract warps to hear every utterance at, and when (see ``Warps``); a
    ///     speech-embedding model hears the audio as recorded only (its frames are not mel bands to warp).
    /// - Throws: ``RecognizerError`` for a vocabulary the model cannot spell, ``FeatureError``
    ///   for a model with an invalid front end.
    public init(model: AcousticModel, decoding: Decoding? = nil, threadCount: Int = 1,
                warps: Warps = .standard) throws {
        self.model = model
        let decoding = try decoding ?? .vocabulary(Vocabulary(model.defaultVocabulary))
        self.decoding = decoding
        self.warps = model.features.kind == .speechEmbedding ? .none : warps
        frontEnd = try FrontEnd(model: model)
        session = InferenceSession(model: model, threadCount: threadCount)
        if case .vocabulary(let vocabulary, let unknownPenalty, let rejectionThreshold) = decoding {
            var decoder = try VocabularyDecoder(vocabulary: vocabulary, alphabet: model.alphabet,
                                                unknownPenalty: unknownPenalty, rejectionThreshold: rejectionThreshold)
            decoder.entryThresholds = model.metadata.personalization?.thresholds ?? [:]
            vocabularyDecoder = decoder
        } else {
            vocabularyDecoder = nil
        }
    }

    /// Audio longer than this (seconds) is heard as utterances split at its pauses: the network
    /// is trained on clips of up to about two seconds and misses words in longer stretches.
    public static let longestUtterance = 2.5
    /// The most speech (seconds) in one utterance of split audio; longer stretches are cut at
    /// their longest pauses.
    public static let longestPiece = 1.2

    /// Transcribes audio. Audio longer than ``longestUtterance`` is cut into utterances at
    /// pauses of 0.3 s or more, and at the longest pauses of stretches with more than
    /// ``longestPiece`` of speech (``SpeechActivity/utterances(of:duration:longest:pause:margin:)``);
    /// each is heard on its own with 0.2 s of quiet either side, and the rest is not heard at all.
    /// - Parameter samples: 16 kHz mono samples in [-1, 1].
    /// - Returns: the recognised words with times in seconds from the first sample, placed on
    ///   the loud spans of the audio (``WordPlacement``).
    public func transcribe(samples: [Float]) -> Transcript {
        let sampleRate = Double(model.features.sampleRate)
        let duration = Double(samples.count) / sampleRate
        let speech = SpeechActivity.spans(in: samples, sampleRate: model.features.sampleRate)
        guard duration > Self.longestUtterance, !speech.isEmpty else {
            let transcript = transcribe(features: frontEnd.extract(samples), duration: duration)
            return Transcript(words: WordPlacement.place(transcript.words, on: speech), duration: duration)
        }
        var words: [RecognizedWord] = []
        for utterance in SpeechActivity.utterances(of: speech, duration: duration, longest: Self.longestPiece) {
            let first = Int(utterance.lowerBound * sampleRate), end = min(samples.count, Int(utterance.upperBound * sampleRate))
            let offset = Double(first) / sampleRate
            let heard = transcribe(features: frontEnd.extract(Array(samples[first..<end])), duration: Double(end - first) / sampleRate)
            let inside = speech.filter { utterance.contains($0.lowerBound) }.map { ($0.lowerBound - offset)..<($0.upperBound - offset) }
            words += Transcript(words: WordPlacement.place(heard.words, on: inside), duration: heard.duration).shifted(by: offset).words
        }
        return Transcript(words: words, duration: duration)
    }

    /// Transcribes a feature matrix computed with ``AcousticModel/features``. Word times are
    /// the frames where the CTC path emitted each word's letters (no audio to place them on).
    /// - Parameters:
    ///   - features: `[frames, model.architecture.inputSize]`.
    ///   - duration: the audio's length in seconds (derived from the frame count if nil).
    public func transcribe(features: Matrix, duration: Double? = nil) -> Transcript {
        let c = model.features
        let padding = 2 * Double(c.edgePaddingSamples) / Double(c.sampleRate)
        let seconds = duration ?? (features.rows > 0 ? max(0, Double(features.rows - 1) * c.frameShift + 2 * c.frameCentre - padding) : 0)
        let first = run(warps.factors[0], features)
        let firstLook = decode(first, duration: seconds)
        guard warps.recheck(firstLook) else { return firstLook }
        return decode(averaged(first, features: features), duration: seconds)
    }

    /// The model's log-probabilities `[frames, classes]` for a feature matrix at all of
    /// ``warps``' factors: with several, the log of the mean of their probabilities.
    public func logProbabilities(features: Matrix) -> Matrix {
        averaged(run(warps.factors[0], features), features: features)
    }

    private func run(_ factor: Double, _ features: Matrix) -> Matrix {
        session.logProbabilities(factor == 1 ? features : SpeakerPerturbation.warpFrequencies(features, by: factor, configuration: model.features))
    }

    /// The log of the mean probabilities of `first` (the run at the first factor) and runs at the others.
    private func averaged(_ first: Matrix, features: Matrix) -> Matrix {
        guard warps.factors.count > 1 else { return first }
        var mean = first
        for i in mean.values.indices { mean.values[i] = exp(mean.values[i]) }
        for factor in warps.factors.dropFirst() {
            let output = run(factor, features)
            for i in mean.values.indices { mean.values[i] += exp(output.values[i]) }
        }
        let count = Float(warps.factors.count)
        for i in mean.values.indices { mean.values[i] = log(max(mean.values[i] / count, .leastNormalMagnitude)) }
        return mean
    }

    /// Decodes log-probabilities with this recognizer's decoding.
    public func decode(_ logProbabilities: Matrix, duration: Double) -> Transcript {
        let timing = FrameTiming(features: model.features, timeReduction: model.architecture.timeReduction, duration: duration)
        let words: [RecognizedWord]
        switch decoding {
        case .greedy:
            words = CTCGreedyDecoder.decode(logProbabilities).words(alphabet: model.alphabet, logProbabilities: logProbabilities, timing: timing)
        case .beamSearch(let width):
            words = CTCBeamSearchDecoder(beamWidth: width).decode(logProbabilities)
                .words(alphabet: model.alphabet, logProbabilities: logProbabilities, timing: timing)
        case .vocabulary:
            words = vocabularyDecoder!.decode(logProbabilities, timing: timing)
        }
        return Transcript(words: words, duration: duration)
    }
}
