import Foundation

/// Voice-activity detection and endpointing for live audio: splits a 16 kHz stream into
/// utterances by energy against an adaptive noise floor.
///
/// Frames of 10 ms are speech when their level is `margin` dB above the noise floor (and
/// above an absolute floor). Three speech frames in a row start an utterance, which begins
/// `preRoll` earlier; `endSilence` of non-speech ends it. The noise floor follows quiet
/// frames down at once and up slowly (about 1 dB per 100 ms), so steady noise is not speech.
public struct Endpointer: Sendable {
    /// Tuning.
    public struct Settings: Sendable, Hashable {
        /// dB above the noise floor that counts as speech.
        public var margin: Double = 12
        /// Level (dBFS) below which nothing is speech.
        public var minimumLevel: Double = -55
        /// Seconds of audio kept before the detected start.
        public var preRoll: Double = 0.2
        /// Seconds of non-speech that end an utterance.
        public var endSilence: Double = 0.12
        /// Utterances shorter than this (seconds of speech) are dropped as clicks.
        public var minimumSpeech: Double = 0.08
        /// Utterances are cut at this length (seconds).
        public var maximumLength: Double = 5
        public init() {}
    }

    /// One utterance: samples from `preRoll` before the speech to `endSilence` after it.
    public struct Utterance: Sendable {
        public var samples: [Float]
        /// Seconds from the start of the stream to the first sample.
        public var start: Double
        /// Seconds of the stream at which the utterance was ended (its last sample).
        public var end: Double { start + Double(samples.count) / 16_000 }
    }

    public let settings: Settings
    private static let frameLength = 160
    private var pending: [Float] = []
    private var history: [Float] = []
    private var utterance: [Float] = []
    private var utteranceStart = 0
    private var consumed = 0
    private var noiseFloor: Double?
    private var speechRun = 0
    private var silenceRun = 0
    private var speechFrames = 0
    private var inSpeech = false

    /// An endpointer at the stream's start.
    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Whether an utterance is in progress.
    public var isInUtterance: Bool { inSpeech }

    /// Feeds samples; returns the utterances they complete.
    public mutating func push(_ samples: [Float]) -> [Utterance] {
        pending += samples
        var finished: [Utterance] = []
        var offset = 0
        while pending.count - offset >= Self.frameLength {
            let frame = pending[offset..<(offset + Self.frameLength)]
            offset += Self.frameLength
            if let done = process(frame) { finished.append(done) }
        }
        pending.removeFirst(offset)
        return finished
    }

    /// Ends the stream: the utterance in progress, if it holds enough speech.
    public mutating func flush() -> Utterance? {
        defer { reset() }
        guard inSpeech else { return nil }
        utterance += pending
        return finish()
    }

    private mutating func process(_ frame: ArraySlice<Float>) -> Utterance? {
        let level = frameLevel(frame)
        let floor = noiseFloor ?? level
        let isSpeech = level > max(floor + settings.margin, settings.minimumLevel)
        if !inSpeech { noiseFloor = level < floor ? level : floor + 0.1 }
        consumed += frame.count
        let preRollSamples = Int(settings.preRoll * 16_000)
        if inSpeech {
            utterance += frame
            if isSpeech {
                speechFrames += 1
                silenceRun = 0
            } else {
                silenceRun += 1
            }
            let ended = Double(silenceRun * Self.frameLength) / 16_000 >= settings.endSilence
            let tooLong = Double(utterance.count) / 16_000 >= settings.maximumLength
            return ended || tooLong ? finish() : nil
        }
        history += frame
        speechRun = isSpeech ? speechRun + 1 : 0
        if speechRun >= 3 {
            inSpeech = true
            speechFrames = speechRun
            silenceRun = 0
            let keep = min(history.count, preRollSamples + speechRun * Self.frameLength)
            utterance = Array(history.suffix(keep))
            utteranceStart = consumed - keep
            history.removeAll(keepingCapacity: true)
        } else if history.count > 2 * (preRollSamples + 3 * Self.frameLength) {
            // Trimmed in batches, not every frame: only the last pre-roll + 3 frames are ever used.
            history.removeFirst(history.count - preRollSamples - 3 * Self.frameLength)
        }
        return nil
    }

    private mutating func finish() -> Utterance? {
        let result = Utterance(samples: utterance, start: Double(utteranceStart) / 16_000)
        let enoughSpeech = Double(speechFrames * Self.frameLength) / 16_000 >= settings.minimumSpeech
        inSpeech = false
        speechRun = 0
        silenceRun = 0
        speechFrames = 0
        utterance = []
        return enoughSpeech ? result : nil
    }

    private mutating func reset() {
        pending = []
        history = []
        utterance = []
        inSpeech = false
        speechRun = 0
    }
}
