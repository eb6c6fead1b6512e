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
            if code == .validationFailure {
                StandardError.write(fullMessage(for: error))
                Foundation.exit(ExitCode.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

extension ExitCode {
    /// Some input failed; the others were processed.
    static let inputFailed = ExitCode(1)
    /// A bad flag or a missing model.
    static let usage = ExitCode(2)
}
