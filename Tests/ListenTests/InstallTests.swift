import Foundation
import TestSupport
import Testing

@Suite("scripts/install, the man page and help examples")
struct InstallTests {
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ListenProcess.Result {
        try ListenProcess.run(program: URL(fileURLWithPath: program), arguments, environment: environment)
    }

    @Test("installs the binary, completions for bash, zsh and fish, the man page and a systemd user unit that systemd accepts")
    func installsEverything() throws {
        let prefix = try Fixtures.scratchFolder().path + "/prefix"
        let result = try Self.run(Fixtures.packageRoot.path + "/scripts/install", ["--prefix", prefix, "--binary", ListenProcess.executable.path])
        #expect(result.status == 0, "\(result.standardError)")
        let version = try Self.run(prefix + "/bin/listen", ["--version"])
        #expect(version.output == "0.1.0\n")
        let bash = prefix + "/share/bash-completion/completions/listen"
        #expect(try Self.run("/bin/bash", ["-n", bash]).status == 0)
        for (path, needle) in [(bash, "enroll"), (prefix + "/share/zsh/site-functions/_listen", "#compdef listen"),
                               (prefix + "/share/fish/vendor_completions.d/listen.fish", "serve")] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(needle), "\(path)")
        }
        let unit = try String(contentsOfFile: prefix + "/lib/systemd/user/listen.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=\(prefix)/bin/listen mic\n"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let verified = try Self.run("/usr/bin/systemd-analyze", ["verify", "--man=no", prefix + "/lib/systemd/user/listen.service"])
            #expect(verified.status == 0, "\(verified.standardError)")
        }
        #expect(FileManager.default.contentsEqual(atPath: prefix + "/share/man/man1/listen.1", andPath: Fixtures.packageRoot.path + "/docs/listen.1"))
    }

    @Test("docs/listen.1 has every command and option of this build (else: scripts/make-manual)")
    func manualIsCurrent() throws {
        let page = try String(contentsOfFile: Fixtures.packageRoot.path + "/docs/listen.1", encoding: .utf8)
        let dump = try ListenProcess.run(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: dump.standardOutput) as? [String: Any])
        var missing: [String] = []
        func visit(_ command: [String: Any], path: String) {
            let name = command["commandName"] as? String ?? ""
            if !path.isEmpty && !page.contains(".It Em \(name)\n") { missing.append(path + name) }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    let long = name["name"] as? String ?? ""
                    if !page.contains("Fl -\(long)") { missing.append("\(path)\(name) --\(long)") }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { visit(sub, path: path + name + " ") }
        }
        visit(root["command"] as? [String: Any] ?? [:], path: "")
        #expect(missing.isEmpty, "not in docs/listen.1 (run scripts/make-manual): \(missing)")
    }

    @Test("every command's help ends with examples")
    func helpEndsWithExamples() throws {
        for command in ["", "mic", "devices", "transcribe", "serve", "enroll", "calibrate", "model", "train", "eval", "bench", "features"] {
            let help = try ListenProcess.run(command.isEmpty ? ["--help"] : [command, "--help"])
            #expect(help.status == 0)
            let sections = help.output.components(separatedBy: "\nEXAMPLES:\n")
            #expect(sections.count == 2 && sections[1].hasPrefix("  listen") && !sections[1].contains("OPTIONS:"), "listen \(command) --help")
        }
    }
}
