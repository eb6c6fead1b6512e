import Foundation

/// A keyword detection or what became of its action, as ``HookRunner`` reports it.
public struct HookEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// The keyword was heard at or above its threshold, outside its cooldown.
        case detection
        /// The action would have run (a dry run).
        case dryRun
        /// The action did not run: too many were running.
        case actionSkipped(reason: String)
        /// The action runs as process `pid`.
        case actionStarted(pid: Int32)
        /// The action ended with this exit status.
        case actionFinished(status: Int32)
        /// The action ran past its timeout (seconds) and was killed.
        case actionTimeout(seconds: Double)
        /// The action could not be started.
        case actionFailed(error: String)
    }

    public var kind: Kind
    /// The detection the event is about.
    public var detection: KeywordSpotter.Detection
    /// The action's program and arguments (empty for ``Kind/detection``).
    public var action: [String]
    /// The file the detection was heard in (batch), or nil (live).
    public var file: String?
    /// The wall-clock time of the detection, ISO 8601 (live), or nil (batch).
    public var time: String?

    /// The event as one JSON line, as `listen` prints it: `{"event":"detection","keyword":…}`.
    public var jsonLine: String {
        let (name, extra): (String, String) = switch kind {
        case .detection: ("detection", "")
        case .dryRun: ("dry_run", "")
        case .actionSkipped(let reason): ("action_skipped", ",\"reason\":\(JSONText.quoted(reason))")
        case .actionStarted(let pid): ("action_started", ",\"pid\":\(pid)")
        case .actionFinished(let status): ("action_finished", ",\"status\":\(status)")
        case .actionTimeout(let seconds): ("action_timeout", ",\"timeout\":\(seconds)")
        case .actionFailed(let error): ("action_failed", ",\"error\":\(JSONText.quoted(error))")
        }
        var fields = "\"keyword\":\(JSONText.quoted(detection.keyword)),\"text\":\(JSONText.quoted(detection.text)),"
            + String(format: "\"confidence\":%.4f,\"start\":%.3f,\"end\":%.3f", detection.confidence, detection.start, detection.end)
        if let file { fields += ",\"file\":\(JSONText.quoted(file))" }
        if let time { fields += ",\"time\":\"\(time)\"" }
        let action = kind == .detection ? "" : ",\"action\":[" + self.action.map(JSONText.quoted).joined(separator: ",") + "]"
        return "{\"event\":\"\(name)\",\(fields)\(action)\(extra)}"
    }
}
