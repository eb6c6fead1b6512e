internal import CPulse
import Foundation

/// A record stream of 16 kHz mono float samples from one source, on its own ``PulseContext``
/// (connection and main loop), all used on the thread that calls ``next(timeout:)``; the
/// stream is freed in `deinit`, before the connection.
///
/// Each fragment is copied out and dropped (`pa_stream_peek`, `pa_stream_drop`) as soon as it
/// arrives, on the same thread that runs the main loop, so no shared-memory block is ever held
/// while libpulse runs. (`pa_simple_read` holds one across calls: when the server died at that
/// moment, libpulse 16.1's main-loop thread waited for it in `pa_memimport_free` while the read
/// waited for the main loop's lock, and the capture hung.)
final class PulseRecordStream {
    /// What one turn of the main loop brought.
    enum News {
        /// Nothing yet (the timeout passed).
        case none
        /// The stream is recording from the named source.
        case ready(source: String)
        /// Samples arrived; fetch them with ``take(_:)``.
        case samples
    }

    private let connection: PulseContext
    private var stream: OpaquePointer?
    private let device: String?
    private let fragmentBytes: UInt32
    private var isReady = false
    /// Samples copied out of the stream and not yet taken.
    private var pending: [Float] = []

    /// Starts connecting to the server (`PULSE_SERVER` or the default one); the stream is made
    /// once the context is ready, inside ``next(timeout:)``.
    /// - Parameters:
    ///   - device: the source's name, or nil for the server's default source.
    ///   - fragmentSamples: samples per fragment the server is asked for (the latency step).
    /// - Throws: ``PulseError`` if libpulse cannot make its objects or the connection is refused.
    init(device: String?, fragmentSamples: Int) throws {
        connection = try PulseContext()
        self.device = device
        fragmentBytes = UInt32(fragmentSamples * MemoryLayout<Float>.size)
        pending.reserveCapacity(4 * fragmentSamples)
    }

    deinit {
        guard let stream else { return }
        pa_stream_disconnect(stream)
        pa_stream_unref(stream)
    }

    /// Runs the main loop once, waiting at most `timeout` seconds for the server.
    /// - Returns: what happened.
    /// - Throws: ``PulseError`` with libpulse's message when the connection or the stream fails
    ///   (the server went away, the source does not exist).
    func next(timeout: Double) throws -> News {
        try connection.iterate(timeout: timeout)
        guard try connection.isReady else { return .none }
        guard let stream else {
            try openStream()
            return .none
        }
        let streamState = pa_stream_get_state(stream)
        if streamState == PA_STREAM_FAILED || streamState == PA_STREAM_TERMINATED { try connection.check(-1) }
        guard streamState == PA_STREAM_READY else { return .none }
        if !isReady {
            isReady = true
            return .ready(source: pa_stream_get_device_name(stream).map { String(cString: $0) } ?? device ?? "default")
        }
        return try drain(stream) ? .samples : .none
    }

    /// Moves `count` samples out of the stream's buffer, or none if fewer are waiting.
    /// - Returns: exactly `count` samples, or nil.
    func take(_ count: Int) -> [Float]? {
        guard pending.count >= count else { return nil }
        let chunk = Array(pending[..<count])
        pending.removeFirst(count)
        return chunk
    }

    private func openStream() throws {
        var spec = pa_sample_spec(format: PA_SAMPLE_FLOAT32LE, rate: 16_000, channels: 1)
        guard let stream = pa_stream_new(connection.context, "command words", &spec, nil) else { try connection.check(-1); return }
        self.stream = stream
        var attributes = pa_buffer_attr(maxlength: UInt32.max, tlength: UInt32.max, prebuf: UInt32.max,
                                        minreq: UInt32.max, fragsize: fragmentBytes)
        try connection.check(pa_stream_connect_record(stream, device, &attributes, PA_STREAM_ADJUST_LATENCY))
    }

    /// Copies every fragment waiting in the stream into `pending` and drops it.
    /// - Returns: whether any samples arrived.
    private func drain(_ stream: OpaquePointer) throws -> Bool {
        var arrived = false
        while true {
            var data: UnsafeRawPointer?
            var byteCount = 0
            try connection.check(pa_stream_peek(stream, &data, &byteCount))
            guard byteCount > 0 else { return arrived }
            if let data {  // nil data with a length is a hole in the stream: dropped, not copied
                let count = byteCount / MemoryLayout<Float>.size
                let start = pending.count
                pending.append(contentsOf: repeatElement(0, count: count))
                pending.withUnsafeMutableBytes { buffer in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[(start * MemoryLayout<Float>.size)...])
                        .copyMemory(from: UnsafeRawBufferPointer(start: data, count: count * MemoryLayout<Float>.size))
                }
                arrived = true
            }
            try connection.check(pa_stream_drop(stream))
        }
    }
}
