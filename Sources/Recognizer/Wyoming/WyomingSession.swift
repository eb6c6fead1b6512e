import Audio
import Foundation

/// One client's conversation with a Wyoming server: `describe` → `info`; speech to text
/// (`transcribe`, `audio-start`, `audio-chunk`…, `audio-stop` → `transcript`); wake-word
/// detection on streamed audio (`detect`, `audio-chunk`… → `detection` as each wake word ends,
/// `not-detected` at `audio-stop` if none was); `ping` → `pong`. Audio at any rate, sample
/// width (1, 2 or 4 bytes) and channel count is converted to 16 kHz mono. Events of other
/// types are ignored, as the protocol asks.
public final class WyomingSession {
    /// What the server offers, for `info`.
    public struct Offer: Sendable {
        /// The speech-to-text vocabulary and the wake words.
        public var vocabulary: Vocabulary
        public var wakeWords: [String]
        /// The model's name, and listen's version.
        public var modelName: String
        public var version: String
        /// The longest audio transcribed in one request, in seconds.
        public var longestAudio: Double

        /// An offer.
        public init(vocabulary: Vocabulary, wakeWords: [String], modelName: String, version: String, longestAudio: Double = 60) {
            self.vocabulary = vocabulary
            self.wakeWords = wakeWords
            self.modelName = modelName
            self.version = version
            self.longestAudio = longestAudio
        }
    }

    /// What the session heard, for logs and MQTT: a transcript or a wake word.
    public enum Heard: Sendable {
        case transcript(Transcript)
        case detection(word: String, confidence: Double, milliseconds: Int)
    }

    private enum Mode { case transcribe, detect }

    private let offer: Offer
    private let transcriber: Recognizer
    private let spotter: Recognizer
    private let heard: (Heard) -> Void
    private var mode = Mode.transcribe
    private var wanted: Set<String>
    private var converter: AudioConverter?
    private var audio: [Float] = []
    private var endpointer = Endpointer()
    private var detected = false

    /// A session with its own recognizers (they hold per-stream state: one per client).
    /// - Parameters:
    ///   - model: the acoustic model (shared between sessions at no cost).
    ///   - offer: the vocabulary and wake words.
    ///   - heard: told of every transcript and detection sent.
    public init(model: AcousticModel, offer: Offer, heard: @escaping (Heard) -> Void = { _ in }) throws {
        self.offer = offer
        transcriber = try Recognizer(model: model, decoding: .vocabulary(offer.vocabulary), warps: .none)
        spotter = try Recognizer(model: model, decoding: .vocabulary(try Vocabulary(offer.wakeWords.isEmpty ? offer.vocabulary.entries : offer.wakeWords)),
                                 warps: .none)
        wanted = Set(offer.wakeWords)
        self.heard = heard
    }

    /// The events to send in answer to `event`.
    /// - Throws: ``WyomingError/malformed(_:)`` for audio the session cannot read (the server
    ///   sends an `error` event and closes the connection).
    public func handle(_ event: WyomingEvent) throws -> [WyomingEvent] {
        switch event.type {
        case "describe":
            return [info]
        case "ping":
            return [WyomingEvent(type: "pong", data: event.data["text"].map { ["text": $0] } ?? [:])]
        case "transcribe":
            mode = .transcribe
            return []
        case "detect":
            mode = .detect
            let names = (event.data["names"] as? [String])?.map(Vocabulary.normalize) ?? []
            let known = names.filter(offer.wakeWords.contains)
            wanted = Set(known.isEmpty ? offer.wakeWords : known)
            return []
        case "audio-start":
            try start(event)
            return []
        case "audio-chunk":
            if converter == nil { try start(event) }
            return try append(event)
        case "audio-stop":
            return try finish()
        default:
            return []
        }
    }

    private var info: WyomingEvent {
        // The protocol asks for a URL; listen has no public address of its own, so the man page's name stands for it.
        let attribution: [String: Any] = ["name": "listen", "url": "man:listen(1)"]
        func artifact(_ name: String, _ description: String) -> [String: Any] {
            ["name": name, "attribution": attribution, "installed": true, "description": description, "version": offer.version]
        }
        var model = artifact(offer.modelName, "command words: " + offer.vocabulary.entries.joined(separator: ", "))
        model["languages"] = ["en"]
        var asr = artifact("listen", "offline command-word recognition (BiGRU + CTC), restricted to its vocabulary")
        asr["models"] = [model]
        asr["supports_transcript_streaming"] = false
        var wake = artifact("listen", "offline wake words")
        wake["models"] = offer.wakeWords.map { word -> [String: Any] in
            var entry = artifact(word, "wake word '\(word)'")
            entry["languages"] = ["en"]
            entry["phrase"] = word
            return entry
        }
        return WyomingEvent(type: "info", data: ["asr": [asr], "wake": offer.wakeWords.isEmpty ? [] : [wake],
                                                 "tts": [], "handle": [], "intent": [], "mic": [], "snd": []])
    }

    private func start(_ event: WyomingEvent) throws {
        converter = try AudioConverter(event.data)
        audio = []
        endpointer = Endpointer()
        detected = false
    }

    private func append(_ event: WyomingEvent) throws -> [WyomingEvent] {
        guard let converter else { return [] }
        let samples = try converter.convert(event.payload, format: event.data)
        switch mode {
        case .transcribe:
            audio += samples
            if Double(audio.count) / 16000 > offer.longestAudio {
                throw WyomingError.oversized("more than \(Int(offer.longestAudio)) s of audio in one request")
            }
            return []
        case .detect:
            return endpointer.push(samples).flatMap(detections)
        }
    }

    private func detections(in utterance: Endpointer.Utterance) -> [WyomingEvent] {
        let transcript = spotter.transcribe(samples: utterance.samples)
        return transcript.words.filter { wanted.contains($0.word) }.map { word in
            detected = true
            let milliseconds = Int(((utterance.start + word.end) * 1000).rounded())
            heard(.detection(word: word.word, confidence: word.confidence, milliseconds: milliseconds))
            return WyomingEvent(type: "detection", data: ["name": word.word, "timestamp": milliseconds])
        }
    }

    private func finish() throws -> [WyomingEvent] {
        defer { converter = nil }
        guard let converter else { return mode == .detect ? [WyomingEvent(type: "not-detected")] : [transcriptEvent(Transcript(words: [], duration: 0))] }
        let tail = converter.flush()
        switch mode {
        case .transcribe:
            audio += tail
            let transcript = transcriber.transcribe(samples: audio)
            audio = []
            heard(.transcript(transcript))
            return [transcriptEvent(transcript)]
        case .detect:
            var events = endpointer.push(tail).flatMap(detections)
            if let last = endpointer.flush() { events += detections(in: last) }
            if !detected { events.append(WyomingEvent(type: "not-detected")) }
            return events
        }
    }

    private func transcriptEvent(_ transcript: Transcript) -> WyomingEvent {
        WyomingEvent(type: "transcript", data: ["text": transcript.text, "language": "en"])
    }
}

/// Wyoming PCM (`rate`, `width` bytes per sample, `channels`) to 16 kHz mono floats.
final class AudioConverter {
    let rate: Int, width: Int, channels: Int
    private let resampler: Resampler?

    init(_ data: [String: Any]) throws {
        guard let rate = data["rate"] as? Int, (1000...384_000).contains(rate),
              let width = data["width"] as? Int, [1, 2, 4].contains(width),
              let channels = data["channels"] as? Int, (1...32).contains(channels) else {
            throw WyomingError.malformed("audio needs rate (1000-384000), width (1, 2 or 4) and channels (1-32), got \(data["rate"] ?? "no rate"), "
                                         + "\(data["width"] ?? "no width"), \(data["channels"] ?? "no channels")")
        }
        (self.rate, self.width, self.channels) = (rate, width, channels)
        resampler = rate == AudioDecoder.sampleRate ? nil : try Resampler(from: rate)
    }

    /// The chunk's samples, mixed down and resampled.
    func convert(_ bytes: [UInt8], format: [String: Any]) throws -> [Float] {
        if let chunkRate = format["rate"] as? Int, chunkRate != rate { throw WyomingError.malformed("a chunk's rate \(chunkRate) differs from the stream's \(rate)") }
        let frame = width * channels
        guard bytes.count % frame == 0 else {
            throw WyomingError.malformed("a chunk of \(bytes.count) bytes is not whole frames of \(frame) bytes")
        }
        let frames = bytes.count / frame
        var mono = [Float](repeating: 0, count: frames)
        bytes.withUnsafeBytes { raw in
            for index in 0..<frames {
                var sum: Float = 0
                for channel in 0..<channels {
                    let offset = index * frame + channel * width
                    switch width {
                    case 1: sum += (Float(raw[offset]) - 128) / 128
                    case 2: sum += Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self))) / 32768
                    default: sum += Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))) / 2_147_483_648
                    }
                }
                mono[index] = sum / Float(channels)
            }
        }
        return resampler?.process(mono) ?? mono
    }

    /// What the resampler still holds.
    func flush() -> [Float] { resampler?.process([], isFinal: true) ?? [] }
}
