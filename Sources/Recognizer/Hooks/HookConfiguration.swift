import Foundation

/// The hooks file (JSON): keywords mapped to actions.
///
/// ```json
/// {"max_concurrent": 2,
///  "hooks": [{"keyword": "lights on", "threshold": 0.6, "cooldown": 2, "timeout": 10,
///             "action": ["/usr/bin/logger", "-t", "listen", "lights on"]}]}
/// ```
public struct HookConfiguration: Codable, Sendable, Hashable {
    /// One keyword and its action.
    public struct Hook: Codable, Sendable, Hashable {
        public var keyword: String
        /// Lowest confidence that fires the action.
        public var threshold: Double?
        /// Seconds before the keyword may fire again.
        public var cooldown: Double?
        /// Seconds before a running action is killed.
        public var timeout: Double?
        /// Program and arguments, run directly (no shell).
        public var action: [String]

        /// A hook; nil settings take the defaults.
        public init(keyword: String, threshold: Double? = nil, cooldown: Double? = nil, timeout: Double? = nil, action: [String]) {
            self.keyword = keyword
            self.threshold = threshold
            self.cooldown = cooldown
            self.timeout = timeout
            self.action = action
        }
    }

    /// Most actions running at once; a detection beyond it is reported as skipped.
    public var maxConcurrent: Int?
    /// The hooks, in the order they are matched.
    public var hooks: [Hook]

    /// A configuration of `hooks`, at most `maxConcurrent` actions at once (the default if nil).
    public init(maxConcurrent: Int? = nil, hooks: [Hook]) {
        self.maxConcurrent = maxConcurrent
        self.hooks = hooks
    }

    enum CodingKeys: String, CodingKey {
        case maxConcurrent = "max_concurrent"
        case hooks
    }

    /// The settings of a hook that does not give them, and the most actions running at once.
    public static let defaultThreshold = 0.5, defaultCooldown = 1.0, defaultTimeout = 30.0, defaultMaxConcurrent = 4

    /// The keywords of the hooks, in order (what a decoder must listen for).
    public var keywords: [String] { hooks.map(\.keyword) }

    /// Reads and checks a hooks file.
    /// - Throws: ``RecognizerError/invalidHooks(_:)`` naming the file and what is wrong.
    public static func read(_ path: String) throws -> HookConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RecognizerError.invalidHooks("\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(data, name: path)
    }

    /// Parses and checks the bytes of a hooks file.
    /// - Parameters:
    ///   - data: the file's bytes (JSON).
    ///   - name: how messages name the file.
    /// - Throws: ``RecognizerError/invalidHooks(_:)`` naming `name` and what is wrong.
    public static func parse(_ data: Data, name path: String) throws -> HookConfiguration {
        let configuration: HookConfiguration
        do {
            configuration = try JSONDecoder().decode(HookConfiguration.self, from: data)
        } catch {
            throw RecognizerError.invalidHooks("\(path): not a valid hooks file: \(error)")
        }
        // A misspelt field (`treshold`) would otherwise be ignored and its hook never behave as meant.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let unknown = object.keys.filter({ !["max_concurrent", "hooks"].contains($0) }).sorted().first {
                throw RecognizerError.invalidHooks("\(path): unknown field '\(unknown)' (fields: max_concurrent, hooks)")
            }
            for (index, hook) in (object["hooks"] as? [[String: Any]] ?? []).enumerated() {
                if let unknown = hook.keys.filter({ !Self.hookFields.contains($0) }).sorted().first {
                    throw RecognizerError.invalidHooks("\(path): hook \(index + 1) has an unknown field '\(unknown)' (fields: \(Self.hookFields.joined(separator: ", ")))")
                }
            }
        }
        do {
            try configuration.check()
        } catch RecognizerError.invalidHooks(let reason) {
            throw RecognizerError.invalidHooks("\(path): \(reason)")
        }
        return configuration
    }

    /// The fields a hook may have.
    static let hookFields = ["keyword", "threshold", "cooldown", "timeout", "action"]

    /// Checks every hook: a keyword, a positive timeout, an action whose program exists and may run.
    /// - Throws: ``RecognizerError/invalidHooks(_:)`` naming the hook (1-based) and the problem.
    public func check() throws {
        for (index, hook) in hooks.enumerated() {
            let name = "hook \(index + 1)"
            if hook.action.isEmpty || hook.action[0].isEmpty { throw RecognizerError.invalidHooks("\(name) has an empty action") }
            if hook.keyword.trimmingCharacters(in: .whitespaces).isEmpty { throw RecognizerError.invalidHooks("\(name) has no keyword") }
            if let timeout = hook.timeout, timeout <= 0 { throw RecognizerError.invalidHooks("\(name) has a timeout <= 0") }
            if let problem = Self.problem(withProgram: hook.action[0]) { throw RecognizerError.invalidHooks("\(name): \(problem)") }
        }
    }

    /// What keeps `name` (a path, or a name looked up on `PATH`) from running as an action, or nil.
    public static func problem(withProgram name: String) -> String? {
        let program = HookRunner.resolve(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: program, isDirectory: &isDirectory) else {
            return "program '\(name)' does not exist (nor on PATH)"
        }
        // access(X_OK), not FileManager's check: as root that says yes to any file.
        return !isDirectory.boolValue && access(program, X_OK) == 0 ? nil : "program '\(name)' is not executable"
    }
}
