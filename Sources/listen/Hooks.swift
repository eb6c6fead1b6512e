import Dispatch
import Foundation
import Recognizer

/// The hooks file (JSON): keywords mapped to actions.
///
/// ```json
/// {"max_concurrent": 2,
///  "hooks": [{"keyword": "lights on", "threshold": 0.6, "cooldown": 2, "timeout": 10,
///             "action": ["/usr/bin/logger", "-t", "listen", "lights on"]}]}
/// ```
struct HookConfiguration: Codable, Sendable {
    struct Hook: Codable, Sendable {
        var keyword: String
        /// Lowest confidence that fires the action.
        var threshold: Double?
        /// Seconds before the keyword may fire again.
        var cooldown: Double?
        /// Seconds before a running action is killed.
        var timeout: Double?
        /// Program and arguments, run directly (no shell).
        var action: [String]
    }

    /// Most actions running at once; a detection beyond it is reported as skipped.
    var maxConcurrent: Int?
    var hooks: [Hook]

    enum CodingKeys: String, CodingKey {
        case maxConcurrent = "max_concurrent"
        case hooks
    }

    static let defaultThreshold = 0.5, defaultCooldown = 1.0, defaultTimeout = 30.0, defaultMaxConcurrent = 4

    /// Reads and checks a hooks file.
    /// - Throws: ``HookError`` naming the file and what is wrong.
    static func read(_ path: String) throws -> HookConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw HookError(message: "\(path): cannot read: \(error.localizedDescription)")
        }
        let configuration: HookConfiguration
        do {
            configuration = try JSONDecoder().decode(HookConfiguration.self, from: data)
        } catch {
            throw HookError(message: "\(path): not a valid hooks file: \(error)")
        }
        for (index, hook) in configuration.hooks.enumerated() {
            if hook.action.isEmpty || hook.action[0].isEmpty { throw HookError(message: "\(path): hook \(index + 1) has an empty action") }
            if hook.keyword.trimmingCharacters(in: .whitespaces).isEmpty { throw HookError(message: "\(path): hook \(index + 1) has no keyword") }
            if let timeout = hook.timeout, timeout <= 0 { throw HookError(message: "\(path): hook \(index + 1) has a timeout <= 0") }
        }
        return configuration
    }
}

/// A hooks file or action that cannot be used.
struct HookError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Writes whole lines to standard output from any thread, one line at a time.
final class LineWriter: @unchecked Sendable {
    // Safe: writes hold `lock`.
    private let lock = NSLock()
    private let handle: FileHandle

    init(handle: FileHandle = .standardOutput) { self.handle = handle }

    func write(_ line: String) {
        lock.withLock { handle.write(Data((line + "\n").utf8)) }
    }
}

/// Runs hook actions for detections: argv executed directly with the recognition in
/// `LISTEN_*` environment variables, at most `maxConcurrent` at once, each killed after its
/// timeout. Never blocks the caller: actions run and are waited for on other threads. Every
/// detection and outcome is a JSON event line.
final class HookRunner: @unchecked Sendable {
    // Safe: `running` is only touched under `lock`; the rest is immutable.
    private let configuration: HookConfiguration
    private let events: LineWriter
    private let dryRun: Bool
    private let lock = NSLock()
    private var running = 0
    private let finished = DispatchGroup()
    let spotter = KeywordSpotter()

    /// Registers every hook on ``spotter``.
    init(configuration: HookConfiguration, events: LineWriter, dryRun: Bool) {
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

    /// Where the current input came from, for the events (`"file"`), or nil in mic mode.
    private var source: String? {
        get { lock.withLock { currentSource } }
        set { lock.withLock { currentSource = newValue } }
    }
    private var currentSource: String?
    /// Seconds of audio before the current input, so cooldowns span a batch of files.
    private var elapsed = 0.0

    /// Runs the hooks for one transcript. Call from one thread at a time, in stream order.
    /// - Parameters:
    ///   - transcript: an utterance (mic) or a whole file.
    ///   - source: the file's name, or nil in mic mode (events then carry the wall-clock time).
    ///   - offset: the transcript's start on the stream clock; files follow one another if nil.
    func process(_ transcript: Transcript, source: String?, offset: Double? = nil) {
        self.source = source
        spotter.process(transcript, offset: offset ?? elapsed)
        elapsed = (offset ?? elapsed) + transcript.duration
    }

    /// Waits until every started action has ended (each is bounded by its timeout).
    func waitForActions() { finished.wait() }

    private func fire(_ hook: HookConfiguration.Hook, _ detection: KeywordSpotter.Detection) {
        let base = eventFields(detection)
        events.write("{\"event\":\"detection\",\(base)}")
        let argv = hook.action
        let argvJSON = "[" + argv.map(JSONText.quoted).joined(separator: ",") + "]"
        if dryRun {
            events.write("{\"event\":\"dry_run\",\(base),\"action\":\(argvJSON)}")
            return
        }
        let limit = configuration.maxConcurrent ?? HookConfiguration.defaultMaxConcurrent
        let admitted = lock.withLock { () -> Bool in
            guard running < limit else { return false }
            running += 1
            return true
        }
        guard admitted else {
            events.write("{\"event\":\"action_skipped\",\(base),\"action\":\(argvJSON),\"reason\":\"\(limit) actions already running\"}")
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
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        // Standard output carries listen's JSON lines: an action's output goes to stderr instead.
        process.standardOutput = FileHandle.standardError
        let timeout = hook.timeout ?? HookConfiguration.defaultTimeout
        let timedOut = TimeoutFlag()
        finished.enter()
        process.terminationHandler = { [self] process in
            let outcome = timedOut.isSet
                ? "{\"event\":\"action_timeout\",\(base),\"action\":\(argvJSON),\"timeout\":\(timeout)}"
                : "{\"event\":\"action_finished\",\(base),\"action\":\(argvJSON),\"status\":\(process.terminationStatus)}"
            events.write(outcome)
            lock.withLock { running -= 1 }
            finished.leave()
        }
        do {
            try process.run()
        } catch {
            events.write("{\"event\":\"action_failed\",\(base),\"action\":\(argvJSON),\"error\":\(JSONText.quoted(error.localizedDescription))}")
            lock.withLock { running -= 1 }
            finished.leave()
            return
        }
        events.write("{\"event\":\"action_started\",\(base),\"action\":\(argvJSON),\"pid\":\(process.processIdentifier)}")
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            guard process.isRunning else { return }
            timedOut.set()
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { if process.isRunning { kill(pid, SIGKILL) } }
        }
    }

    private func eventFields(_ detection: KeywordSpotter.Detection) -> String {
        var fields = "\"keyword\":\(JSONText.quoted(detection.keyword)),\"text\":\(JSONText.quoted(detection.text)),"
            + String(format: "\"confidence\":%.4f,\"start\":%.3f,\"end\":%.3f", detection.confidence, detection.start, detection.end)
        if let source { fields += ",\"file\":\(JSONText.quoted(source))" } else { fields += ",\"time\":\"\(Timestamp.now())\"" }
        return fields
    }

    /// `name` itself if it contains a slash, else the first match on `PATH`.
    static func resolve(_ name: String) -> String {
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

/// ISO 8601 wall-clock times with milliseconds, for mic-mode records and events.
enum Timestamp {
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
