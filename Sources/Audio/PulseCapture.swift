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
/// resamples and mixes down). Blocking `pa_simple_read`s run on a dedicated thread and feed a
/// bounded `AsyncThrowingStream`; if the consumer falls behind, the oldest chunks are dropped
/// rather than memory growing. When the server goes away the thread reports it, waits with
/// back-off (0.25 s doubling to 4 s) and reconnects, until ``stop()``. Reads that stall for
/// 3 s (a frozen server, or libpulse's own deadlock when the server dies mid-fragment) are
/// given up the same way: their connection is abandoned, not freed, and a new one made.
public final class PulseCapture: @unchecked Sendable {
    // Safe: `stopped` is guarded by `lock`; everything else is immutable after init.
    /// The source's name, or nil for the server's default source.
    public let device: String?
    /// Samples per chunk handed to the stream (320 = 20 ms).
    public let chunkSize: Int
    private let lock = NSLock()
    private var stopped = false

    /// Prepares a capture; nothing connects until ``events()`` is iterated.
    /// - Parameters:
    ///   - device: a source name from `listen devices` (e.g. `virt.monitor`), or nil for the default.
    ///   - chunkSize: samples per read.
    public init(device: String? = nil, chunkSize: Int = 320) {
        self.device = device
        self.chunkSize = chunkSize
    }

    /// Ends the capture: the reading thread stops after its current read and the stream finishes.
    public func stop() { lock.withLock { stopped = true } }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// The source as messages name it.
    private var sourceName: String { device ?? "the default source" }

    /// Starts the reading thread and returns its events. At most `bufferedChunks` chunks wait
    /// for the consumer (5 s of audio by default).
    public func events(bufferedChunks: Int = 250) -> AsyncThrowingStream<CaptureEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<CaptureEvent, Error>.makeStream(bufferingPolicy: .bufferingNewest(bufferedChunks))
        let thread = Thread { [self] in
            read(into: continuation)
            continuation.finish()
        }
        thread.name = "listen-capture"
        thread.start()
        continuation.onTermination = { [weak self] _ in self?.stop() }
        return stream
    }

    private func read(into continuation: AsyncThrowingStream<CaptureEvent, Error>.Continuation) {
        var delay = 0.25
        while !isStopped {
            var spec = pa_sample_spec(format: PA_SAMPLE_FLOAT32LE, rate: 16_000, channels: 1)
            var attributes = pa_buffer_attr(maxlength: UInt32.max, tlength: UInt32.max, prebuf: UInt32.max,
                                            minreq: UInt32.max, fragsize: UInt32(chunkSize * 4))
            var code: Int32 = 0
            guard let connection = pa_simple_new(nil, "listen", PA_STREAM_RECORD, device, "command words", &spec, nil, &attributes, &code) else {
                continuation.yield(.disconnected(reason: PulseError("cannot record from \(sourceName)", code: code).message,
                                                 retryIn: delay))
                sleep(seconds: delay)
                delay = min(delay * 2, 4)
                continue
            }
            delay = 0.25
            continuation.yield(.connected(source: device ?? "default"))
            let reads = Reads(connection: connection)
            let reader = Thread { [self] in record(reads, into: continuation) }
            reader.name = "listen-capture-reads"
            reader.start()
            if let reason = supervise(reads) {
                continuation.yield(.disconnected(reason: reason, retryIn: delay))
                sleep(seconds: delay)
            }
        }
    }

    /// One connection's blocking reads, on their own thread so that a read that never returns
    /// cannot hold the capture: libpulse can deadlock inside `pa_simple_read` when the server
    /// dies while it holds a shared-memory fragment (its main loop waits for the fragment, the
    /// read for the main loop's lock).
    private func record(_ reads: Reads, into continuation: AsyncThrowingStream<CaptureEvent, Error>.Continuation) {
        var chunk = [Float](repeating: 0, count: chunkSize)
        var code: Int32 = 0
        while !isStopped {
            let status = chunk.withUnsafeMutableBytes { pa_simple_read(reads.connection, $0.baseAddress, $0.count, &code) }
            guard !reads.isAbandoned else { return }
            if status < 0 {
                reads.end(PulseError("recording from \(sourceName) stopped", code: code).message)
                return
            }
            continuation.yield(.samples(chunk))
            reads.arrived()
        }
        reads.end(nil)
    }

    /// Waits for the reading thread to end; a connection whose reads stall for `stallLimit`
    /// seconds, or that does not end within a second of ``stop()``, is abandoned (its thread
    /// and connection are left as they are: freeing them would wait on the same lock).
    /// - Returns: why the connection ended, or nil when the capture was stopped.
    private func supervise(_ reads: Reads, stallLimit: Double = 3) -> String? {
        var stopDeadline: Date?
        while true {
            Thread.sleep(forTimeInterval: 0.05)
            if reads.hasEnded {
                pa_simple_free(reads.connection)
                return isStopped ? nil : reads.failure
            }
            if isStopped {
                let deadline = stopDeadline ?? Date().addingTimeInterval(1)
                stopDeadline = deadline
                if Date() > deadline { reads.abandon(); return nil }
            } else if reads.secondsSinceLastRead > stallLimit {
                reads.abandon()
                return "recording from \(sourceName) stalled for \(Int(stallLimit)) s"
            }
        }
    }

    /// Sleeps in short steps so ``stop()`` is honoured quickly.
    private func sleep(seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !isStopped && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
    }
}

/// What the supervising thread knows about one connection's reading thread.
private final class Reads: @unchecked Sendable {
    // Safe: every var is guarded by `lock`; `connection` is immutable.
    nonisolated(unsafe) let connection: OpaquePointer
    private let lock = NSLock()
    private var last = Date()
    private var ended = false
    private var reason: String?
    private var abandoned = false

    init(connection: OpaquePointer) { self.connection = connection }

    func arrived() { lock.withLock { last = Date() } }
    /// The reading thread is done with the connection, after a failed read if `reason` is given.
    func end(_ reason: String?) { lock.withLock { (ended, self.reason) = (true, reason) } }
    func abandon() { lock.withLock { abandoned = true } }
    var isAbandoned: Bool { lock.withLock { abandoned } }
    var hasEnded: Bool { lock.withLock { ended } }
    /// Why the reads ended, if a read failed.
    var failure: String? { lock.withLock { reason } }
    var secondsSinceLastRead: Double { lock.withLock { Date().timeIntervalSince(last) } }
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

/// Lists capture sources with PulseAudio's asynchronous API (a private main loop run until
/// the server's answer is complete).
public enum PulseDevices {
    /// The sources of the server (`PULSE_SERVER` or the default one).
    /// - Throws: ``PulseError`` if no server answers within `timeout` seconds.
    public static func sources(timeout: Double = 5) throws -> [AudioSource] {
        guard let loop = pa_mainloop_new() else { throw PulseError(message: "cannot create a PulseAudio main loop") }
        defer { pa_mainloop_free(loop) }
        guard let context = pa_context_new(pa_mainloop_get_api(loop), "listen") else {
            throw PulseError(message: "cannot create a PulseAudio context")
        }
        defer {
            pa_context_disconnect(context)
            pa_context_unref(context)
        }
        guard pa_context_connect(context, nil, PA_CONTEXT_NOFLAGS, nil) >= 0 else {
            throw PulseError("cannot connect to the PulseAudio server", code: pa_context_errno(context))
        }
        let deadline = Date().addingTimeInterval(timeout)
        // Wait for the connection.
        while true {
            let state = pa_context_get_state(context)
            if state == PA_CONTEXT_READY { break }
            if state == PA_CONTEXT_FAILED || state == PA_CONTEXT_TERMINATED {
                throw PulseError("cannot connect to the PulseAudio server", code: pa_context_errno(context))
            }
            if Date() > deadline { throw PulseError(message: "the PulseAudio server did not answer within \(timeout) s") }
            pa_mainloop_iterate(loop, 0, nil)
            Thread.sleep(forTimeInterval: 0.002)
        }
        let collector = SourceCollector()
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        guard let operation = pa_context_get_source_info_list(context, { _, info, eol, userdata in
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
            throw PulseError("cannot list sources", code: pa_context_errno(context))
        }
        defer { pa_operation_unref(operation) }
        while !collector.done {
            if Date() > deadline { throw PulseError(message: "the PulseAudio server did not list its sources within \(timeout) s") }
            pa_mainloop_iterate(loop, 0, nil)
            Thread.sleep(forTimeInterval: 0.002)
        }
        return collector.sources
    }
}

/// Filled by the C callback on the calling thread (the main loop runs there).
private final class SourceCollector {
    var sources: [AudioSource] = []
    var done = false
}
