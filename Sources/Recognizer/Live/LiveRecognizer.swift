import Audio
import Foundation

/// Live recognition: audio from a capture is cut into utterances at its pauses (``Endpointer``)
/// and each utterance is recognised as soon as it ends, its words timed from the start of the
/// capture.
///
/// ```swift
/// let live = LiveRecognizer(recognizer: try Recognizer(model: try ModelFile.bundled()))
/// for try await event in live.events(from: PulseCapture()) {
///     if case .utterance(let transcript) = event, !transcript.text.isEmpty { print(transcript.text) }
/// }
/// ```
public final class LiveRecognizer: @unchecked Sendable {
    // Safe: the recognizer and the endpointer are used by the one task that drives a stream of
    // `events(from:)` at a time; `lock` keeps a second stream from starting while one runs.

    /// What live recognition reports.
    public enum Event: Sendable {
        /// An utterance ended and was recognised; its words are timed from the start of the
        /// capture (its ``Transcript/duration`` is the utterance's). An utterance with no
        /// accepted word has empty ``Transcript/text``.
        case utterance(Transcript)
        /// Recording (re)started on the named source.
        case connected(source: String)
        /// The capture lost its server and retries after `retryIn` seconds; the utterance in
        /// progress was recognised before this.
        case disconnected(reason: String, retryIn: Double)
    }

    /// The recognizer utterances go through.
    public let recognizer: Recognizer
    /// How utterances are found.
    public let endpointing: Endpointer.Settings
    private let lock = NSLock()
    private var running = false

    /// Live recognition with `recognizer`, cutting utterances as `endpointing` says.
    public init(recognizer: Recognizer, endpointing: Endpointer.Settings = Endpointer.Settings()) {
        self.recognizer = recognizer
        self.endpointing = endpointing
    }

    /// Recognises what `capture` records until it stops (``PulseCapture/stop()``) or fails; the
    /// utterance in progress is recognised before the stream ends.
    /// - Returns: the events, in order; the stream throws what the capture throws.
    public func events(from capture: PulseCapture) -> AsyncThrowingStream<Event, any Error> {
        events(from: capture.events())
    }

    /// Recognises capture events from any source (``CaptureEvent``), as ``events(from:)-(PulseCapture)``.
    /// Before the first event it recognises silence as long as the longest utterance, so its
    /// memory has reached its final size when listening starts.
    /// - Precondition: no other stream of this recognizer is running.
    public func events<Source: AsyncSequence & Sendable>(from source: Source) -> AsyncThrowingStream<Event, any Error>
        where Source.Element == CaptureEvent {
        lock.withLock {
            precondition(!running, "one stream at a time per LiveRecognizer")
            running = true
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                // The longest utterance the endpointer can give, once, before the first: the
                // recognizer's scratch buffers reach their final size now, and memory stays flat.
                _ = self.recognizer.transcribe(samples: [Float](repeating: 0, count: Int((self.endpointing.maximumLength + 1) * 16_000)))
                var endpointer = Endpointer(settings: self.endpointing)
                func finish(_ utterance: Endpointer.Utterance) {
                    continuation.yield(.utterance(self.recognizer.transcribe(samples: utterance.samples).shifted(by: utterance.start)))
                }
                do {
                    for try await event in source {
                        switch event {
                        case .samples(let samples):
                            for utterance in endpointer.push(samples) { finish(utterance) }
                        case .connected(let name):
                            continuation.yield(.connected(source: name))
                        case .disconnected(let reason, let retry):
                            if let unfinished = endpointer.flush() { finish(unfinished) }
                            continuation.yield(.disconnected(reason: reason, retryIn: retry))
                        }
                    }
                    if let unfinished = endpointer.flush() { finish(unfinished) }
                    continuation.finish()
                } catch {
                    if let unfinished = endpointer.flush() { finish(unfinished) }
                    continuation.finish(throwing: error)
                }
                self.lock.withLock { self.running = false }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
