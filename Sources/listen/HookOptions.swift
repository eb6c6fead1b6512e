import ArgumentParser
import Foundation
import Recognizer

/// `--hooks FILE`, or the quick form `--keyword WORD --exec PROGRAM ARGS…`, and `--dry-run`.
struct HookOptions: ParsableArguments {
    @Option(help: "A hooks file (JSON) mapping keywords to actions.")
    var hooks: String?

    @Option(help: "Quick form: run the program given with --exec when this keyword is heard.")
    var keyword: String?

    @Option(help: "Quick form: lowest confidence that fires the action.")
    var threshold = HookConfiguration.defaultThreshold

    @Option(help: "Quick form: seconds before the keyword may fire again.")
    var cooldown = HookConfiguration.defaultCooldown

    @Option(help: "Quick form: seconds before a running action is killed.")
    var timeout = HookConfiguration.defaultTimeout

    @Flag(help: "Print the actions that would run (as JSON events) without running them.")
    var dryRun = false

    @Option(name: .customLong("exec"), parsing: .remaining,
            help: "Quick form: the program and its arguments, run directly (no shell); must come last.")
    var action: [String] = []

    func check() throws {
        if hooks != nil && keyword != nil { throw ValidationError("use --hooks or --keyword, not both") }
        if keyword != nil && action.isEmpty { throw ValidationError("--keyword needs an action, e.g. --keyword yes --exec /usr/bin/logger heard yes") }
        if keyword == nil && action.contains("--keyword") {
            throw ValidationError("--exec takes the rest of the line as the program and its arguments: put --keyword and the other options before it")
        }
        if keyword == nil && !action.isEmpty { throw ValidationError("--exec needs --keyword") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    /// The user's hooks file, `$XDG_CONFIG_HOME/listen/hooks.json` (or `~/.config/listen/hooks.json`),
    /// which `listen mic` uses when it is given no hooks and the file exists.
    static var userHooksPath: String? {
        let environment = ProcessInfo.processInfo.environment
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/listen/hooks.json" }
        return environment["HOME"].flatMap { $0.isEmpty ? nil : $0 + "/.config/listen/hooks.json" }
    }

    /// The hooks asked for, or nil. A bad hooks file is a usage error.
    /// - Parameter userDefault: with neither `--hooks` nor `--keyword`, use ``userHooksPath`` if it exists (said on stderr).
    func configuration(userDefault: Bool = false) throws -> HookConfiguration? {
        let configuration: HookConfiguration
        var hooks = hooks
        if hooks == nil, keyword == nil, userDefault, let path = Self.userHooksPath, FileManager.default.fileExists(atPath: path) {
            StandardError.write("listen: using the hooks in \(path)")
            hooks = path
        }
        if let hooks {
            do {
                configuration = try HookConfiguration.read(hooks)
            } catch {
                StandardError.write("listen: \(error)")
                throw ExitCode.usage
            }
        } else if let keyword {
            configuration = HookConfiguration(maxConcurrent: nil, hooks: [
                .init(keyword: keyword, threshold: threshold, cooldown: cooldown, timeout: timeout, action: action)])
            if let problem = HookConfiguration.problem(withProgram: action[0]) {
                StandardError.write("listen: --exec: \(problem)")
                throw ExitCode.usage
            }
        } else {
            return nil
        }
        return configuration
    }

    /// The runner of `configuration`, its events written as JSON lines to `events`.
    func runner(_ configuration: HookConfiguration, events: LineWriter) -> HookRunner {
        HookRunner(configuration: configuration, dryRun: dryRun) { events.write($0.jsonLine) }
    }
}
