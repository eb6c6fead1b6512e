import ArgumentParser
import Foundation

/// `listen`: offline speech-command recognition for Linux.
@main
struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Recognise spoken command words offline, from a microphone or audio files.",
        discussion: """
            Exit codes: 0 all inputs processed; 1 some input failed (the others were still \
            processed); 2 usage error.

            Examples:
              listen                                      # the microphone
              listen transcribe recordings/ --format jsonl
              listen enroll && listen calibrate           # your voice, your room
              listen serve --uri tcp://0.0.0.0:10300      # Home Assistant (Wyoming)
            """,
        version: "0.1.0",
        subcommands: [MicCommand.self, DevicesCommand.self, TranscribeCommand.self, ServeCommand.self, EnrollCommand.self, CalibrateCommand.self,
                      ModelCommand.self, TrainCommand.self, EvalCommand.self, BenchCommand.self, FeaturesCommand.self],
        defaultSubcommand: MicCommand.self)

    /// Runs the command, mapping argument-parser's usage errors to exit code 2 (the contract)
    /// instead of its default 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success, case let message = fullMessage(for: error), message.contains("USAGE:") {
                print(examplesLast(message))
                Foundation.exit(0)
            }
            if code == .validationFailure {
                StandardError.write(fullMessage(for: error))
                Foundation.exit(ExitCode.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// A help text with its "Examples:" paragraph (part of the discussion, so the man page has it
/// too) moved from above the usage to the end.
func examplesLast(_ help: String) -> String {
    guard let start = help.range(of: "\n  Examples:\n") ?? help.range(of: "\nExamples:\n"),
          let usage = help.range(of: "\nUSAGE:", range: start.upperBound..<help.endIndex) else { return help }
    let examples = help[start.lowerBound..<usage.lowerBound].trimmingCharacters(in: .newlines)
    let rest = String(help[..<start.lowerBound]) + String(help[usage.lowerBound...])
    let lines = examples.split(separator: "\n", omittingEmptySubsequences: false)
    let indent = lines.first.map { $0.prefix { $0 == " " }.count } ?? 0
    let text = lines.map { $0.dropFirst(min(indent, $0.prefix { $0 == " " }.count)) }.joined(separator: "\n")
    return rest.trimmingCharacters(in: .newlines) + "\n\n" + text.uppercased(prefix: "Examples:") + "\n"
}

private extension String {
    /// `EXAMPLES:` for a leading `Examples:`, as argument-parser heads its sections.
    func uppercased(prefix: String) -> String { hasPrefix(prefix) ? prefix.uppercased() + dropFirst(prefix.count) : self }
}

extension ExitCode {
    /// Some input failed; the others were processed.
    static let inputFailed = ExitCode(1)
    /// A bad flag or a missing model.
    static let usage = ExitCode(2)
}
