import Dispatch
import Foundation

/// Runs hook actions for detections: argv executed directly with the recognition in
/// `LISTEN_*` environment variables, at most `maxConcurrent` at once, each killed after its
/// timeout. Never blocks the caller: actions run and are waited for on other threads. Every
/// detection and outcome is reported as a ``HookEvent`` (its ``HookEvent/jsonLine`` is what
/// `listen` prints).
///
/// ```swift
/// let hooks = HookConfiguration(hooks: [.init(keyword: "lights on", action: ["/usr/local/bin/lights", "on"])])
/// let runner = HookRunner(configuration: hooks) { event in print(event.jsonLine) }
/// runner.process(recognizer.transcribe(samples: samples), source: "clip.wav")
/// runner.waitForActions()
/// ```
public final class HookRunner: @unchecked Sendable {
    // Safe: `running` and `currentInput` are only touched under `lock`; the rest is immutable
    // or (`elapsed`) touched by `process` alone, which is called from one thread at a time.
    private let configuration: HookConfiguration
    private let events: @Sendable (HookEvent) -> Void
    private let dryRun: Bool
    private let lock = NSLock()
    private var running = 0
    private let finished = DispatchGroup()
    /// The spotter the hooks are registered on; its vocabulary must be decoded for them to fire.
    public let spotter = KeywordSpotter()

    /// Registers every hook on ``spotter``.
    /// - Parameters:
    ///   - configuration: the hooks.
    ///   - dryRun: report the actions that would run (``HookEvent/Kind/dryRun``) without running them.
    ///   - events: called with every detection and action outcome, from any thread.
    public init(configuration: HookConfiguration, dryRun: Bool = false, events: @escaping @Sendable (HookEvent) -> Void) {
        self.configuration = configuration
        self.events = events
        self.dryRun = dryRun
        for hook in configuration.hooks {
            spotter.on(hook.keyword, threshold: hook.threshold ?? HookConfiguration.defaultThreshold,
                       cooldown: hook.cooldown ?? HookConfiguration.defaultCooldown) { [unowned self] detection in
                self.fire(hook, detection)
            }
        }
    }

    /// Where the current input came from, for the events (`"file"`), or nil in mic mode, and
    /// where it starts on the clock the cooldowns run on.
    private var input: (source: String?, start: Double) {
        get { lock.withLock { currentInput } }
        set { lock.withLock { currentInput = newValue } }
    }
    private var currentInput: (source: String?, start: Double) = (nil, 0)
    /// Seconds of audio before the current input, so cooldowns span a batch of files.
    private var elapsed = 0.0

    /// Runs the hooks for one transcript. Call from one thread at a time, in stream order.
    /// - Parameters:
    ///   - transcript: an utterance (mic) or a whole file.
    ///   - source: the file's name, or nil in mic mode (events then carry the wall-clock time).
    ///     A file's events and `LISTEN_START`/`LISTEN_END` are timed from the start of the
    ///     file (`LISTEN_FILE` names it); live, from the start of the capture.
    ///   - offset: the transcript's start on the stream clock, which cooldowns run on; files
    ///     follow one another if nil.
    public func process(_ transcript: Transcript, source: String?, offset: Double? = nil) {
        let start = offset ?? elapsed
        input = (source, source == nil ? 0 : start)
        spotter.process(transcript, offset: start)
        elapsed = start + transcript.duration
    }

    /// Waits until every started action has ended (each is bounded by its timeout).
    public func waitForActions() { finished.wait() }

    private func fire(_ hook: HookConfiguration.Hook, _ heard: KeywordSpotter.Detection) {
        let (source, start) = input
        var onItsClock = heard  // the file's clock (a file) or the capture's (live)
        (onItsClock.start, onItsClock.end) = (heard.start - start, heard.end - start)
        let detection = onItsClock
        let time = source == nil ? Timestamp.now() : nil
        let events = self.events
        @Sendable func report(_ kind: HookEvent.Kind, action: [String] = hook.action) {
            events(HookEvent(kind: kind, detection: detection, action: action, file: source, time: time))
        }
        report(.detection, action: [])
        let argv = hook.action
        if dryRun {
            report(.dryRun)
            return
        }
        let limit = configuration.maxConcurrent ?? HookConfiguration.defaultMaxConcurrent
        let admitted = lock.withLock { () -> Bool in
            guard running < limit else { return false }
            running += 1
            return true
        }
        guard admitted else {
            report(.actionSkipped(reason: "\(limit) actions already running"))
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.resolve(argv[0]))
        process.arguments = Array(argv.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["LISTEN_TEXT"] = detection.text
        environment["LISTEN_WORD"] = detection.keyword
        environment["LISTEN_CONFIDENCE"] = String(format: "%.4f", detection.confidence)
        environment["LISTEN_START"] = String(format: "%.3f", detection.start)
        environment["LISTEN_END"] = String(format: "%.3f", detection.end)
        if let source { environment["LISTEN_FILE"] = source }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        // Standard output carries listen's JSON lines: an action's output goes to stderr instead.
        process.standardOutput = FileHandle.standardError
        let timeout = hook.timeout ?? HookConfiguration.defaultTimeout
        let timedOut = TimeoutFlag()
        finished.enter()
        process.terminationHandler = { [self] process in
            report(timedOut.isSet ? .actionTimeout(seconds: timeout) : .actionFinished(status: process.terminationStatus))
            lock.withLock { running -= 1 }
            finished.leave()
        }
        do {
            try process.run()
        } catch {
            report(.actionFailed(error: error.localizedDescription))
            lock.withLock { running -= 1 }
            finished.leave()
            return
        }
        report(.actionStarted(pid: process.processIdentifier))
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            guard process.isRunning else { return }
            timedOut.set()
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { if process.isRunning { kill(pid, SIGKILL) } }
        }
    }

    /// `name` itself if it contains a slash, else the first match on `PATH`.
    package static func resolve(_ name: String) -> String {
        guard !name.contains("/") else { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        return name
    }
}

/// Set once from the timeout timer, read by the termination handler.
private final class TimeoutFlag: @unchecked Sendable {
    // Safe: the value is only touched under `lock`.
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// ISO 8601 wall-clock times in UTC with milliseconds, for mic-mode records and events.
///
/// Formatted from the C clock: Foundation's date formatters load ICU's calendar data, several
/// megabytes of resident memory that a long-running `listen mic` does not otherwise need.
package enum Timestamp {
    package static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return format(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec) / 1_000_000)
    }

    /// `2026-12-08T00:50:12.345Z` for `seconds` since 1970 and `milliseconds` (0–999).
    package static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds), parts = tm()
        gmtime_r(&time, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let millis = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}
