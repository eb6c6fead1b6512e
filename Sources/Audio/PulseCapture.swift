internal import CPulse
import Foundation

/// What a live capture produces: audio, or news about the connection.
public enum CaptureEvent: Sendable {
    /// 16 kHz mono samples in [-1, 1].
    case samples([Float])
    /// Recording (re)started on the named source.
    case connected(source: String)
    /// The server went away or refused; the capture retries after `retryIn` seconds.
    case disconnected(reason: String, retryIn: Double)
}

/// A PulseAudio error (also what PipeWire's pulse server reports).
public struct PulseError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
    init(_ context: String, code: Int32) {
        message = "\(context): \(String(cString: pa_strerror(code)))"
    }
    init(message: String) { self.message = message }
}

/// Records from a PulseAudio source, asking the server for 16 kHz mono float samples (it
/// resamples and mixes down). A dedicated thread runs the connection's own main loop
/// (``PulseRecordStream``) and feeds a bounded `AsyncThrowingStream`; if the consumer falls
/// behind, the oldest chunks are dropped rather than memory growing. When the server goes away
/// the thread reports it, waits with back-off (0.25 s doubling to 4 s) and reconnects, until
/// ``stop()``. A server that sends nothing for 3 s (frozen, or overloaded) is treated the same
/// way: the connection is closed and a new one made.
public final class PulseCapture: @unchecked Sendable {
    // Safe: `stopped` is guarded by `lock`; everything else is immutable after init.
    /// The source's name, or nil for the server's default source.
    public let device: String?
    /// Samples per chunk handed to the stream (320 = 20 ms).
    public let chunkSize: Int
    private let lock = NSLock()
    private var stopped = false
    private var dropped = 0
    /// Seconds without audio (or without an answer while connecting) before a connection is given up.
    private let stallLimit = 3.0

    /// Prepares a capture; nothing connects until ``events()`` is iterated.
    /// - Parameters:
    ///   - device: a source name from `listen devices` (e.g. `virt.monitor`), or nil for the default.
    ///   - chunkSize: samples per chunk, and per fragment asked of the server.
    public init(device: String? = nil, chunkSize: Int = 320) {
        self.device = device
        self.chunkSize = chunkSize
    }

    /// Ends the capture: within 50 ms the connection is closed and the stream finishes.
    public func stop() { lock.withLock { stopped = true } }

    /// Samples dropped so far because the consumer fell more than `bufferedChunks` behind.
    public var droppedSamples: Int { lock.withLock { dropped } }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Whether ``stop()`` was called.
    public var isStopping: Bool { isStopped }

    /// Starts the recording thread and returns its events. At most `bufferedChunks` chunks wait
    /// for the consumer (5 s of audio by default).
    public func events(bufferedChunks: Int = 250) -> AsyncThrowingStream<CaptureEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<CaptureEvent, Error>.makeStream(bufferingPolicy: .bufferingNewest(bufferedChunks))
        let thread = Thread { [self] in
            record(into: continuation)
            continuation.finish()
        }
        thread.name = "listen-capture"
        thread.start()
        continuation.onTermination = { [weak self] _ in self?.stop() }
        return stream
    }

    /// Connects, records until the connection ends, reports why and connects again.
    private func record(into continuation: AsyncThrowingStream<CaptureEvent, Error>.Continuation) {
        var delay = 0.25
        while !isStopped {
            let (reason, recorded) = recordOnce(into: continuation)
            guard let reason else { return }
            if recorded { delay = 0.25 }
            continuation.yield(.disconnected(reason: reason, retryIn: delay))
            sleep(seconds: delay)
            if !recorded { delay = min(delay * 2, 4) }
        }
    }

    /// One connection, from connecting to its end.
    /// - Returns: why it ended (nil when the capture was stopped), and whether it got as far as recording.
    private func recordOnce(into continuation: AsyncThrowingStream<CaptureEvent, Error>.Continuation) -> (reason: String?, recorded: Bool) {
        var recording = false
        var source = device ?? "the default source"  // as messages name it, until the server names it
        do {
            let connection = try PulseRecordStream(device: device, fragmentSamples: chunkSize)
            var lastNews = Date()
            while !isStopped {
                switch try connection.next(timeout: 0.05) {
                case .none:
                    if Date().timeIntervalSince(lastNews) > stallLimit {
                        let reason = recording ? "recording from \(source) stalled for \(Int(stallLimit)) s"
                            : "cannot record from \(source): the server did not answer within \(Int(stallLimit)) s"
                        return (reason, recording)
                    }
                case .ready(let name):
                    (recording, source, lastNews) = (true, name, Date())
                    continuation.yield(.connected(source: name))
                case .samples:
                    lastNews = Date()
                    while let chunk = connection.take(chunkSize) {
                        if case .dropped(.samples(let lost)) = continuation.yield(.samples(chunk)) {
                            lock.withLock { dropped += lost.count }
                        }
                    }
                }
            }
            return (nil, recording)
        } catch {
            let context = recording ? "recording from \(source) stopped" : "cannot record from \(source)"
            return ("\(context): \(error)", recording)
        }
    }

    /// Sleeps in short steps so ``stop()`` is honoured quickly.
    private func sleep(seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !isStopped && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
    }
}

/// A capture source as the server describes it.
public struct AudioSource: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    public var sampleRate: Int
    public var channelCount: Int
    /// Whether the source is a sink's monitor (what is played, not a microphone).
    public var isMonitor: Bool
}

/// Lists capture sources with PulseAudio's asynchronous API (a ``PulseContext`` whose main
/// loop runs until the server's answer is complete).
public enum PulseDevices {
    /// The sources of the server (`PULSE_SERVER` or the default one).
    /// - Throws: ``PulseError`` if no server answers within `timeout` seconds.
    public static func sources(timeout: Double = 5) throws -> [AudioSource] {
        let deadline = Date().addingTimeInterval(timeout)
        let connection: PulseContext
        var ready = false
        do {
            connection = try PulseContext()
            while !ready && Date() <= deadline {
                try connection.iterate(timeout: 0.05)
                ready = try connection.isReady
            }
        } catch {
            throw PulseError(message: "cannot connect to the PulseAudio server: \(error)")
        }
        guard ready else { throw PulseError(message: "the PulseAudio server did not answer within \(timeout) s") }
        let collector = SourceCollector()
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        guard let operation = pa_context_get_source_info_list(connection.context, { _, info, eol, userdata in
            let collector = Unmanaged<SourceCollector>.fromOpaque(userdata!).takeUnretainedValue()
            if eol != 0 {
                collector.done = true
                return
            }
            guard let info = info?.pointee else { return }
            collector.sources.append(AudioSource(
                name: String(cString: info.name), description: info.description.map { String(cString: $0) } ?? "",
                sampleRate: Int(info.sample_spec.rate), channelCount: Int(info.sample_spec.channels),
                isMonitor: info.monitor_of_sink != UInt32.max))
        }, box.toOpaque()) else {
            throw PulseError("cannot list sources", code: pa_context_errno(connection.context))
        }
        defer { pa_operation_unref(operation) }
        while !collector.done {
            if Date() > deadline { throw PulseError(message: "the PulseAudio server did not list its sources within \(timeout) s") }
            try connection.iterate(timeout: 0.05)
        }
        return collector.sources
    }
}

/// Filled by the C callback on the calling thread (the main loop runs there).
private final class SourceCollector {
    var sources: [AudioSource] = []
    var done = false
}
