import Foundation

/// A one-line progress display on standard error: redrawn in place on a terminal (at most
/// ten times a second), a plain line every `interval` seconds when stderr is a file or pipe.
final class ProgressLine: @unchecked Sendable {
    // Safe: every mutable property is accessed under `lock`.
    private let lock = NSLock()
    private let label: String
    private let total: Int
    private let unit: String
    private let started = Date()
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let interval: TimeInterval
    private var lastDrawn = Date.distantPast
    private var drawn = false
    /// Shown when stderr is not a terminal too (long runs logging to a file); off for short batches.
    private let logsWhenPiped: Bool
    /// False when the line would be drawn among results on the same terminal.
    private let enabled: Bool

    /// - Parameters:
    ///   - label: what is being counted ("features", "epoch 3/12").
    ///   - total: items expected.
    ///   - unit: the item's name for the rate ("clips", "steps").
    ///   - logsWhenPiped: also print a line every `interval` seconds when stderr is not a terminal.
    ///   - enabled: false to show nothing (results go to the same terminal, line by line).
    init(_ label: String, total: Int, unit: String, logsWhenPiped: Bool = false, interval: TimeInterval = 30, enabled: Bool = true) {
        self.enabled = enabled
        self.label = label
        self.total = total
        self.unit = unit
        self.logsWhenPiped = logsWhenPiped
        self.interval = interval
    }

    /// Reports `done` items finished, with optional extra text (a loss).
    func update(_ done: Int, detail: String = "") {
        lock.withLock {
            let now = Date()
            let wait = isTerminal ? 0.1 : interval
            guard enabled, (isTerminal || logsWhenPiped), now.timeIntervalSince(lastDrawn) >= wait || done == total else { return }
            lastDrawn = now
            let seconds = now.timeIntervalSince(started)
            let rate = seconds > 0 ? Double(done) / seconds : 0
            let eta = rate > 0 ? Double(total - done) / rate : 0
            let percent = total > 0 ? 100 * done / total : 100
            let text = "\(label) \(done)/\(total) \(percent)%\(detail.isEmpty ? "" : " " + detail) "
                + String(format: "%.1f %@/s ETA %@", rate, unit, Self.clock(eta))
            if isTerminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
                drawn = true
            } else {
                StandardError.write(text)
            }
        }
    }

    /// Clears the line on a terminal so the next message starts clean.
    func finish() {
        lock.withLock {
            if isTerminal && drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }

    /// `1h02m`, `4m05s` or `12s`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
