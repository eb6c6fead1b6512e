internal import CPulse
import Foundation

/// A connection to a PulseAudio server (`PULSE_SERVER` or the default one) with its own main
/// loop (`pa_mainloop`), run on the thread that calls ``iterate(timeout:)``; the context and
/// the loop are freed together in `deinit`. ``PulseDevices`` and ``PulseRecordStream`` both
/// talk to the server through one.
final class PulseContext {
    let loop: OpaquePointer
    let context: OpaquePointer

    /// Starts connecting (`pa_context_connect`); ``isReady`` tells when the server has answered.
    /// - Throws: ``PulseError`` with libpulse's message if libpulse cannot make its objects or
    ///   the connection is refused at once.
    init() throws {
        guard let loop = pa_mainloop_new() else { throw PulseError(message: "cannot create a PulseAudio main loop") }
        guard let context = pa_context_new(pa_mainloop_get_api(loop), "listen") else {
            pa_mainloop_free(loop)
            throw PulseError(message: "cannot create a PulseAudio context")
        }
        (self.loop, self.context) = (loop, context)
        try check(pa_context_connect(context, nil, PA_CONTEXT_NOFLAGS, nil))
    }

    deinit {
        pa_context_disconnect(context)
        pa_context_unref(context)
        pa_mainloop_free(loop)
    }

    /// Runs the main loop once (`pa_mainloop_prepare`, `_poll`, `_dispatch`), waiting at most
    /// `timeout` seconds for the server.
    /// - Throws: ``PulseError`` if the loop fails.
    func iterate(timeout: Double) throws {
        guard pa_mainloop_prepare(loop, Int32(timeout * 1_000_000)) >= 0, pa_mainloop_poll(loop) >= 0,
              pa_mainloop_dispatch(loop) >= 0 else {
            throw PulseError(message: "the PulseAudio main loop failed")
        }
    }

    /// Whether the connection is ready (false while it is still being made).
    /// - Throws: ``PulseError`` with libpulse's message once the connection has failed.
    var isReady: Bool {
        get throws {
            let state = pa_context_get_state(context)
            if state == PA_CONTEXT_FAILED || state == PA_CONTEXT_TERMINATED { try check(-1) }
            return state == PA_CONTEXT_READY
        }
    }

    /// Turns a negative libpulse status into a ``PulseError`` carrying the context's error.
    func check(_ status: Int32) throws {
        guard status < 0 else { return }
        throw PulseError(message: String(cString: pa_strerror(pa_context_errno(context))))
    }
}
