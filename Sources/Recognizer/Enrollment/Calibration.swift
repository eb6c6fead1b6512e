import Foundation

/// Sets a personal model's threshold per word from recordings of the room it listens in: the
/// lowest confidence at which the room's noise, heard as the microphone hears it, makes no more
/// false accepts of that word per hour than asked for. A threshold is never set below the
/// decoder's own, so calibration only ever trades misses for fewer false accepts; the takes
/// say what that costs, heard through the room's noise.
public struct Calibration: Sendable {
    /// What a calibration did, stored in the model (``Personalization/calibration``).
    public struct Summary: Sendable, Codable, Hashable {
        /// When (ISO 8601), from how many seconds of room recordings, for what rate.
        public var created: String
        public var noiseSeconds: Double
        public var falseAcceptsPerHour: Double
        /// Per word: its threshold, false accepts in the recordings at the decoder's threshold and
        /// at its own, and the share of its takes missed at its own (nil without takes).
        public var words: [Word]
    }

    /// One word's calibration.
    public struct Word: Sendable, Codable, Hashable {
        public var word: String
        public var threshold: Double
        public var falseAcceptsBefore: Int
        public var falseAcceptsAfter: Int
        public var missRate: Double?
        public var takes: Int
    }

    /// The model to calibrate and its decoding trade-offs.
    public let model: AcousticModel
    public let vocabulary: Vocabulary
    public let unknownPenalty: Float
    /// The threshold of words whose noise makes no false accepts at it: the decoder's.
    public let floor: Double

    /// A calibration of `model` for `vocabulary` (the model's own if nil).
    public init(model: AcousticModel, vocabulary: Vocabulary? = nil, unknownPenalty: Float = VocabularyDecoder.defaultUnknownPenalty,
                floor: Double = VocabularyDecoder.defaultRejectionThreshold) throws {
        self.model = model
        self.vocabulary = try vocabulary ?? Vocabulary(model.defaultVocabulary)
        self.unknownPenalty = unknownPenalty
        self.floor = floor
    }

    /// Every word heard in `samples` at any confidence (none rejected).
    public func candidates(in samples: [Float]) throws -> [RecognizedWord] {
        var open = model
        open.metadata.personalization?.thresholds = nil
        let recognizer = try Recognizer(model: open, decoding: .vocabulary(vocabulary, unknownPenalty: unknownPenalty, rejectionThreshold: 0))
        // Pieces of a minute: long recordings are split at pauses anyway, and a minute is cheap to hold.
        var words: [RecognizedWord] = []
        for start in stride(from: 0, to: samples.count, by: 60 * 16000) {
            words += recognizer.transcribe(samples: Array(samples[start..<min(samples.count, start + 60 * 16000)])).words
        }
        return words.filter { $0.word != RecognizedWord.unknown }
    }

    /// Calibrates.
    /// - Parameters:
    ///   - noise: recordings of the room (16 kHz), minutes of them.
    ///   - takes: the enrolment's takes, to estimate the misses (may be empty).
    ///   - falseAcceptsPerHour: the rate of false accepts per word to allow, above 0.
    /// - Returns: the model with ``Personalization/thresholds`` and ``Personalization/calibration``
    ///   set (a model that is not personal gets a personalization record naming itself as base),
    ///   and the summary.
    public func run(noise: [[Float]], takes: [Enrollment.Take], falseAcceptsPerHour: Double) throws -> (model: AcousticModel, summary: Summary) {
        precondition(falseAcceptsPerHour > 0, "the rate must be positive")
        let seconds = noise.reduce(0.0) { $0 + Double($1.count) / 16000 }
        var heard: [String: [Double]] = [:]
        for recording in noise {
            for word in try candidates(in: recording) { heard[word.word, default: []].append(word.confidence) }
        }
        let allowed = Int((falseAcceptsPerHour * seconds / 3600).rounded(.down))
        var thresholds: [String: Double] = [:]
        for word in vocabulary.entries {
            let confidences = (heard[word] ?? []).sorted(by: >)
            // Just above the confidence of the false accept that would be one too many.
            let needed = confidences.count > allowed ? confidences[allowed].nextUp : 0
            thresholds[word] = max(floor, needed)
        }
        // Misses: every take heard through a stretch of the room's noise at 10 to 20 dB.
        var calibrated = model
        var record = model.metadata.personalization ?? Personalization(
            baseName: model.metadata.name, baseChecksum: Personalization.checksum(of: model), takes: [:],
            created: ISO8601DateFormatter().string(from: Date()), seconds: 0, settings: Enrollment.Settings())
        record.thresholds = thresholds
        calibrated.metadata.personalization = record
        let recognizer = try Recognizer(model: calibrated, decoding: .vocabulary(vocabulary, unknownPenalty: unknownPenalty, rejectionThreshold: floor))
        let room = noise.filter { NoiseMixing.power($0) > 0 }
        var generator = SeededGenerator(seed: 1)
        var tally: [String: (takes: Int, missed: Int)] = [:]
        for take in takes {
            let word = Vocabulary.normalize(take.text)
            guard vocabulary.entries.contains(word) else { continue }
            var samples = take.samples
            if !room.isEmpty {
                let recording = room[Int.random(in: 0..<room.count, using: &generator)]
                samples = NoiseMixing.mix(samples, with: recording, offset: Int.random(in: 0..<recording.count, using: &generator),
                                          signalToNoise: Double.random(in: 10...20, using: &generator))
            }
            let missed = !recognizer.transcribe(samples: samples).words.contains { $0.word == word }
            tally[word, default: (0, 0)].takes += 1
            if missed { tally[word, default: (0, 0)].missed += 1 }
        }
        let words = vocabulary.entries.map { word in
            let confidences = heard[word] ?? [], threshold = thresholds[word]!
            let counted = tally[word]
            return Word(word: word, threshold: threshold, falseAcceptsBefore: confidences.filter { $0 >= floor }.count,
                        falseAcceptsAfter: confidences.filter { $0 >= threshold }.count,
                        missRate: counted.map { Double($0.missed) / Double($0.takes) }, takes: counted?.takes ?? 0)
        }
        let summary = Summary(created: ISO8601DateFormatter().string(from: Date()), noiseSeconds: seconds.rounded(),
                              falseAcceptsPerHour: falseAcceptsPerHour, words: words)
        calibrated.metadata.personalization?.calibration = summary
        return (calibrated, summary)
    }
}
